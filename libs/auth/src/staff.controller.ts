import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { UserView } from '@bank/contracts/users';
import { AuthService } from './auth.service';
import { CreateStaffDto } from './dto/auth.dto';
import { Roles } from './roles.decorator';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/staff')
export class StaffController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  create(@Body() body: CreateStaffDto): Promise<UserView> {
    return this.auth.createStaff(body);
  }
}
