import { Module } from '@nestjs/common';
import { RequestsModule } from './requests.module';
import { FulfilmentProcessor, TriageProcessor } from './request.processors';

/** The worker side of service requests: the BullMQ processors. */
@Module({
  imports: [RequestsModule],
  providers: [TriageProcessor, FulfilmentProcessor],
})
export class RequestsWorkerModule {}
