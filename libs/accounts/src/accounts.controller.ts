import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AccountList, AccountLookup, AccountView } from '@bank/contracts/accounts';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { AccountIdPipe } from './account-id.pipe';
import { AccountsService } from './accounts.service';
import { OpenAccountDto } from './dto/open-account.dto';
import { AccountLookupQueryDto } from './dto/account-lookup.dto';
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

  @Get('lookup')
  @RateLimit('lookup-user')
  @ApiOperation({
    summary: 'Name the holder of an account number before paying it',
    description:
      '200 `{accountNumber, name}` with the name masked to the first name and the initial of the last (`Bob B.`; a one-word name as it is). ' +
      '404 `NOT_FOUND` for a number no account has, and equally for a closed account: it cannot receive, so no name is given out for it (a transfer to it answers 422 `ACCOUNT_FROZEN`). ' +
      'A frozen account can receive, so it is named. 400 `VALIDATION_FAILED` for a number that is not 12 digits with a valid check digit. ' +
      'Customers only (staff 403). Rate-limited per customer by `RATE_LIMIT_LOOKUP_PER_USER` (default 30/60), shared with `POST /payees` (saving a payee names the holder too): ' +
      '429 `RATE_LIMITED` with `Retry-After`; the first refusal in a window is a `rate_limited` security event for admins whose detail says it was account lookups ' +
      '(`limit: "lookup-user"`, `reason`, `allowed`, `windowS`).',
  })
  lookup(@Query() query: AccountLookupQueryDto): Promise<AccountLookup> {
    return this.accounts.lookup(query.number);
  }

  @Get(':id')
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', AccountIdPipe) id: string,
  ): Promise<AccountView> {
    return toAccountView(await this.accounts.getOwned(id, user.id));
  }
}
