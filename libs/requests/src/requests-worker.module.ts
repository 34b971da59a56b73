import { Module } from '@nestjs/common';
import { RequestsModule } from './requests.module';
import { ExpiryProcessor, FulfilmentProcessor, TriageProcessor } from './request.processors';
import { RequestSweepService } from './request-sweep.service';
import { RequestWorkersDrain } from './request-workers-drain';

/** The worker side of service requests: the BullMQ processors and the sweep. */
@Module({
  imports: [RequestsModule],
  providers: [TriageProcessor, FulfilmentProcessor, ExpiryProcessor, RequestSweepService, RequestWorkersDrain],
})
export class RequestsWorkerModule {}
