import { Body, Controller, Get, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { EntryView, MoneyMoved } from '@bank/contracts/ledger';
import type { TransferHeld } from '@bank/contracts/holds';
import type { Page } from '@bank/contracts/pagination';
import { AccountIdPipe } from '@bank/accounts/account-id.pipe';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { LedgerService } from './ledger.service';
import { LedgerQueriesService } from './ledger-queries.service';
import { DepositDto, HistoryQueryDto, TransferDto, WithdrawalDto } from './dto/money.dto';
import { IDEMPOTENCY_KEY_DOC, IdempotencyKey, replayAware } from '@bank/idempotency/idempotency-key.decorator';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import { MoneyMetricsInterceptor } from '@bank/metrics/money-metrics.interceptor';
import { WithoutOrmContext } from '@bank/db/orm-request-context';

@ApiTags('money')
@ApiBearerAuth()
@Roles('customer')
@UseInterceptors(MoneyMetricsInterceptor)
@Controller()
export class MoneyController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly queries: LedgerQueriesService,
  ) {}

  @Post('accounts/:id/deposits')
  @WithoutOrmContext()
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  @RateLimit('money-user')
  async deposit(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', AccountIdPipe) accountId: string,
    @Body() body: DepositDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MoneyMoved> {
    return replayAware(response, await this.ledger.deposit(user.id, accountId, body, key));
  }

  @Post('accounts/:id/withdrawals')
  @WithoutOrmContext()
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  @RateLimit('money-user')
  async withdraw(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', AccountIdPipe) accountId: string,
    @Body() body: WithdrawalDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MoneyMoved> {
    return replayAware(response, await this.ledger.withdraw(user.id, accountId, body, key));
  }

  @Post('transfers')
  @WithoutOrmContext()
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  @RateLimit('money-user')
  async transfer(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: TransferDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MoneyMoved | TransferHeld> {
    const answer = await this.ledger.transfer(user.id, body, key);
    if (answer.status === 202) void response.status(202);
    return replayAware<MoneyMoved | TransferHeld>(response, answer);
  }

  @Get('accounts/:id/transactions')
  @ApiOperation({
    summary: "An account's entries, newest first, optionally searched",
    description:
      'Keyset-paged (`limit`, `cursor`); every filter given must hold. `from` and `to` are UTC days `YYYY-MM-DD`, both inclusive ' +
      '(a day that does not exist, or `from` after `to`, is 400). `kind` is the transaction kind. `minAmount` and `maxAmount` bound the ' +
      "entry's absolute amount in minor units, inclusive (non-negative integers; `minAmount` above `maxAmount` is 400). `q` (3..100 " +
      "characters after trimming — three make a trigram, so every text search is indexed; blank = no search) is a case-insensitive part of the description or of the counterparty's current " +
      'name; `%` and `_` match themselves. A `nextCursor` continues the same filtered list: send it with the same filters (with other ' +
      'filters it still pages correctly, below the entry it points at). Unknown parameters are 400.',
  })
  history(@CurrentUser() user: AuthenticatedUser, @Param('id', AccountIdPipe) accountId: string, @Query() query: HistoryQueryDto): Promise<Page<EntryView>> {
    return this.queries.history(user.id, accountId, query);
  }
}
