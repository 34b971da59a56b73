import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { LedgerModule } from '@bank/ledger/ledger.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestsModule } from '@bank/requests/requests.module';
import { RequestQueuesModule } from '@bank/requests/request-queues.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { RealtimeModule } from '@bank/realtime/realtime.module';
import { HoldsModule } from '@bank/ledger/holds/holds.module';
import { AdminStatsService } from './admin-stats.service';
import { AdminController } from './admin.controller';
import { PlatformGauges } from './platform-gauges';
import { AdminUsersService } from './admin-users.service';
import { AdminUsersController } from './admin-users.controller';
import { AuthModule } from '@bank/auth/auth.module';
import { AdminStatsFeed } from './admin-stats.feed';

/** What admins and operators watch: the dashboard's numbers, the user search and a user's page, and the platform gauges on /metrics. */
@Module({
  imports: [UsersModule, AccountsModule, LedgerModule, RequestsModule, RequestQueuesModule, OutboxModule, RealtimeModule, HoldsModule, AuthModule],
  providers: [AdminStatsService, PlatformGauges, AdminUsersService, AdminStatsFeed],
  controllers: [AdminController, AdminUsersController],
})
export class AdminModule {}
