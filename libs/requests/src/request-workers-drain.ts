import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { ExpiryProcessor, FulfilmentProcessor, TriageProcessor } from './request.processors';

/**
 * Closes the request workers — they take no new job and finish the ones they hold — before any
 * module's own shutdown hook runs. @nestjs/bullmq and MikroORM both close in those hooks, in an
 * order that follows module discovery; a job needs its database until its end, whatever the order.
 */
@Injectable()
export class RequestWorkersDrain implements BeforeApplicationShutdown {
  constructor(
    private readonly triage: TriageProcessor,
    private readonly fulfilment: FulfilmentProcessor,
    private readonly expiry: ExpiryProcessor,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.triage, this.fulfilment, this.expiry].map((processor) => processor.worker.close()));
  }
}
