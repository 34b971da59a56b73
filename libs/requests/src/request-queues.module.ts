import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { REQUEST_QUEUES, bullConnection, bullPrefix } from './request-jobs';
import { RequestJobsProducer } from './request-jobs.producer';
import { RegisteredQueuesShutdown } from './bull-shutdown';

/** The BullMQ connection and the pipeline's queues, for both the api and the worker. */
@Module({
  imports: [
    BullModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => ({ connection: bullConnection(config), prefix: bullPrefix(config) }) }),
    BullModule.registerQueue(...Object.values(REQUEST_QUEUES).map((name) => ({ name }))),
  ],
  providers: [RequestJobsProducer, RegisteredQueuesShutdown],
  exports: [RequestJobsProducer, BullModule],
})
export class RequestQueuesModule {}
