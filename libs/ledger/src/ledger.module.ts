import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { MoneyPathRepository } from './money-path/money-path.repository';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { LedgerQueriesService } from './ledger-queries.service';
import { MoneyController } from './money.controller';
import { LedgerAdminController } from './ledger-admin.controller';
import { BackdatedPostingsRepository } from './backdated/backdated-postings.repository';
import { BackdatedPostingsService } from './backdated/backdated-postings.service';

@Module({
  imports: [AccountsModule, UsersModule],
  providers: [MoneyPathRepository, LedgerRepository, LedgerService, LedgerQueriesService, BackdatedPostingsRepository, BackdatedPostingsService],
  controllers: [MoneyController, LedgerAdminController],
  exports: [LedgerService, LedgerQueriesService, BackdatedPostingsService],
})
export class LedgerModule {}
