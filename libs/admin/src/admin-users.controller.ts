import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import type { AdminUserDetail } from '@bank/contracts/admin';
import type { Page } from '@bank/contracts/pagination';
import { UserListQuerySchema } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import { Roles } from '@bank/auth/roles.decorator';
import { NotFound } from '@bank/problems/domain-error';
import { AdminUsersService } from './admin-users.service';

class UserListQueryDto extends createZodDto(UserListQuerySchema) {}
const UserIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The user') });

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @ApiOperation({
    summary: 'Find users, one page at a time',
    description:
      '`q` (1..100 characters, blank = no search) matches a case-insensitive part of the email or the full name, or — typed whole, ' +
      'spaces and dashes allowed — the number of an account the user owns. `role` and `status` narrow it. Ordered by id ' +
      '(keyset paging: every match once across pages), not by relevance.',
  })
  search(@Query() query: UserListQueryDto): Promise<Page<UserView>> {
    return this.users.search(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One user as an admin sees them',
    description: 'The `user`, the lock (when, why), failed sign-ins in a row, the accounts, the live sessions (refresh-token families) and the 20 latest security events.',
  })
  detail(@Param('id', UserIdPipe) id: string): Promise<AdminUserDetail> {
    return this.users.detail(id);
  }
}
