import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AccountList, AccountView } from '@bank/contracts/accounts';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { AccountIdPipe } from './account-id.pipe';
import { AccountsService } from './accounts.service';
import { OpenAccountDto } from './dto/open-account.dto';
import { toAccountView } from './entities/account.entity';

@ApiTags('accounts')
@ApiBearerAuth()
@Roles('customer')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser): Promise<AccountList> {
    return { items: (await this.accounts.listForOwner(user.id)).map(toAccountView) };
  }

  @Post()
  async open(@CurrentUser() user: AuthenticatedUser, @Body() body: OpenAccountDto): Promise<AccountView> {
    return toAccountView(await this.accounts.openAccount(user.id, body.type, body.currency));
  }

  @Get(':id')
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', AccountIdPipe) id: string,
  ): Promise<AccountView> {
    return toAccountView(await this.accounts.getOwned(id, user.id));
  }
}
