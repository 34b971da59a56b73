import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { MoneyPathRepository } from './money-path/money-path.repository';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { LedgerQueriesService } from './ledger-queries.service';
import { BackdatedPostingsRepository } from './backdated/backdated-postings.repository';
import { BackdatedPostingsService } from './backdated/backdated-postings.service';

/** The ledger's services (no routes: LedgerRoutesModule has them), for the api and the worker. */
@Module({
  imports: [AccountsModule, UsersModule],
  providers: [MoneyPathRepository, LedgerRepository, LedgerService, LedgerQueriesService, BackdatedPostingsRepository, BackdatedPostingsService],
  exports: [LedgerService, LedgerQueriesService, BackdatedPostingsService],
})
export class LedgerModule {}
