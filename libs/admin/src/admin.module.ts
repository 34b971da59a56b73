import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { LedgerModule } from '@bank/ledger/ledger.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestsModule } from '@bank/requests/requests.module';
import { AdminStatsService } from './admin-stats.service';
import { AdminController } from './admin.controller';

@Module({
  imports: [UsersModule, AccountsModule, LedgerModule, RequestsModule],
  providers: [AdminStatsService],
  controllers: [AdminController],
})
export class AdminModule {}
