import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ZodValidationPipe } from 'nestjs-zod';
import type { AppConfig } from '@bank/config/app-config';
import { ConfigModule } from '@bank/config/config.module';
import { DbModule } from '@bank/db/db.module';
import { RedisModule } from '@bank/redis/redis.module';
import { LoggingModule } from '@bank/logging/logging.module';
import { ProblemDetailsFilter } from '@bank/problems/problem-details.filter';
import { AuthModule } from '@bank/auth/auth.module';
import { AccountsRoutesModule } from '@bank/accounts/accounts-routes.module';
import { LedgerRoutesModule } from '@bank/ledger/ledger-routes.module';
import { AdminModule } from '@bank/admin/admin.module';
import { RealtimeModule } from '@bank/realtime/realtime.module';
import { RequestsModule } from '@bank/requests/requests.module';
import { QueueBoardModule } from '@bank/requests/queue-board/queue-board.module';
import { SecurityModule } from '@bank/security/security.module';
import { SecurityAdminModule } from '@bank/security/security-admin.module';
import { RateLimitModule } from '@bank/security/rate-limits/rate-limit.module';
import { HealthModule } from '@bank/health/health.module';
import { OnboardingModule } from '@bank/onboarding/onboarding.module';
import { MetricsModule } from '@bank/metrics/metrics.module';
import { NotificationsModule } from '@bank/notifications/notifications.module';
import { StatementsModule } from '@bank/statements/statements.module';
import { PayeesModule } from '@bank/payees/payees.module';
import { SchedulesRoutesModule } from '@bank/schedules/schedules-routes.module';
import { ConnectionDrain } from './connection-drain';

/** The HTTP api process: composes the feature modules, nothing else. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'api'),
        DbModule,
        RedisModule,
        MetricsModule,
        SecurityModule,
        NotificationsModule,
        RateLimitModule,
        AuthModule,
        AccountsRoutesModule,
        LedgerRoutesModule,
        AdminModule,
        RealtimeModule,
        RequestsModule,
        QueueBoardModule,
        SecurityAdminModule,
        HealthModule,
        OnboardingModule,
        StatementsModule,
        PayeesModule,
        SchedulesRoutesModule,
      ],
      providers: [
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        ConnectionDrain,
      ],
    };
  }
}
