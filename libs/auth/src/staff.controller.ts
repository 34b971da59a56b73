import { Body, Controller, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  create(@Body() body: CreateStaffDto, @CurrentUser() admin: AuthenticatedUser, @Req() request: FastifyRequest): Promise<UserView> {
    return this.staff.createStaff(body, admin.id, request.ip ?? null);
  }
}
