import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { IdempotencyService } from './idempotency.service';
import { LedgerPostingService } from './ledger-posting.service';
import { LedgerService } from './ledger.service';
import { LedgerQueriesService } from './ledger-queries.service';
import { MoneyController } from './money.controller';
import { LedgerAdminController } from './ledger-admin.controller';

@Module({
  imports: [AccountsModule, UsersModule, OutboxModule],
  providers: [IdempotencyService, LedgerPostingService, LedgerService, LedgerQueriesService],
  controllers: [MoneyController, LedgerAdminController],
  exports: [LedgerService, LedgerQueriesService],
})
export class LedgerModule {}
