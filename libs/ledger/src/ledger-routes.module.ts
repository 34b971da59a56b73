import { Module } from '@nestjs/common';
import { LedgerModule } from './ledger.module';
import { MoneyController } from './money.controller';
import { LedgerAdminController } from './ledger-admin.controller';

/**
 * The ledger's HTTP routes, for the api only: the money routes are rate-limited, and the worker
 * (which moves money for scheduled transfers through LedgerModule's service) serves no HTTP.
 */
@Module({
  imports: [LedgerModule],
  controllers: [MoneyController, LedgerAdminController],
})
export class LedgerRoutesModule {}
