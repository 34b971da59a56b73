import { Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import type { FastifyRequest } from 'fastify';
import type { UserView } from '@bank/contracts/users';
import { ADMIN_KEY_HEADER, LockUserSchema } from '@bank/contracts/security';
import { Roles } from '@bank/auth/roles.decorator';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import { NotFound } from '@bank/problems/domain-error';
import { UserLocksService } from './user-locks.service';

class LockUserDto extends createZodDto(LockUserSchema) {}
const UserIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The user') });

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/users')
export class UserLocksController {
  constructor(private readonly locks: UserLocksService) {}

  @Post(':id/lock')
  @RateLimit('admin-user')
  @HttpCode(200)
  lock(@CurrentUser() admin: AuthenticatedUser, @Param('id', UserIdPipe) id: string, @Body() body: LockUserDto, @Req() request: FastifyRequest): Promise<UserView> {
    return this.locks.lock(admin, id, body.reason, request.ip ?? null);
  }

  @Post(':id/unlock')
  @RateLimit('admin-user')
  @HttpCode(200)
  @ApiHeader({ name: 'X-Admin-Key', required: true, description: 'the second admin secret (ADMIN_KEY)' })
  unlock(@CurrentUser() admin: AuthenticatedUser, @Param('id', UserIdPipe) id: string, @Headers(ADMIN_KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest): Promise<UserView> {
    return this.locks.unlock(admin, id, key, request.ip ?? null);
  }
}
