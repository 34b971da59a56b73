import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { MetricsModule } from '@bank/metrics/metrics.module';
import { bullConnection, bullPrefix } from '@bank/requests/request-jobs';
import { SchedulesModule } from './schedules.module';
import { SCHEDULE_SWEEP_QUEUE, ScheduleSweep } from './schedule-sweep';

/** The worker side of scheduled transfers: the repeatable sweep that makes the due runs. */
@Module({
  imports: [
    // The ledger's money path counts its batches into the process's registry (the worker's is not scraped).
    MetricsModule,
    SchedulesModule,
    BullModule.registerQueueAsync({
      name: SCHEDULE_SWEEP_QUEUE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: bullConnection(config), prefix: bullPrefix(config) }),
    }),
  ],
  providers: [ScheduleSweep],
})
export class SchedulesWorkerModule {}
