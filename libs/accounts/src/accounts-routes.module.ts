import { Module } from '@nestjs/common';
import { AccountsModule } from './accounts.module';
import { AccountsController } from './accounts.controller';

/**
 * The accounts' HTTP routes, for the api only: the lookup is rate-limited, and the worker (which
 * uses AccountsModule's service for request effects) has no rate limiter to give its guard.
 */
@Module({
  imports: [AccountsModule],
  controllers: [AccountsController],
})
export class AccountsRoutesModule {}
