import { Body, Controller, Headers, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { ADMIN_KEY_HEADER } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import { StaffService } from './staff.service';
import { CreateStaffDto } from './dto/auth.dto';
import { Roles } from './roles.decorator';
import { CurrentUser } from './current-user.decorator';
import type { AuthenticatedUser } from './access-token';
import { RateLimit } from './rate-limit.decorator';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @RateLimit('admin-user')
  @ApiHeader({ name: 'X-Admin-Key', required: false, description: 'the second admin secret (ADMIN_KEY): required when `role` is `admin` (403 ADMIN_KEY_INVALID without it)' })
  create(
    @Body() body: CreateStaffDto,
    @CurrentUser() admin: AuthenticatedUser,
    @Headers(ADMIN_KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<UserView> {
    return this.staff.createStaff(body, admin.id, request.ip ?? null, key);
  }
}
