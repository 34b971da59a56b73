import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@bank/config/app-config';
import { ConfigModule } from '@bank/config/config.module';
import { DbModule } from '@bank/db/db.module';
import { RedisModule } from '@bank/redis/redis.module';
import { LoggingModule } from '@bank/logging/logging.module';
import { OutboxRelayModule } from '@bank/outbox/outbox-relay.module';
import { RequestsWorkerModule } from '@bank/requests/requests-worker.module';
import { SchedulesWorkerModule } from '@bank/schedules/schedules-worker.module';
import { WorkerHeartbeatService } from './worker-heartbeat.service';

/** The background process: the outbox relay (live events), the service-request pipeline's processors and the scheduled transfers' sweep. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, 'worker'), DbModule, RedisModule, OutboxRelayModule, RequestsWorkerModule, SchedulesWorkerModule],
      providers: [WorkerHeartbeatService],
    };
  }
}
