import { Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import { REQUEST_JOB_ATTEMPTS, REQUEST_QUEUES, type RequestJobData } from './request-jobs';
import { RequestsService } from './requests.service';

/** Submitted → pending_review. The step checks state first, so a retry or a duplicate is harmless. */
@Processor(REQUEST_QUEUES.triage)
export class TriageProcessor extends WorkerHost {
  constructor(
    private readonly requests: RequestsService,
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async process(job: Job<RequestJobData>): Promise<void> {
    await RequestContext.create(this.orm.em, () => this.requests.triage(job.data.requestId));
  }
}

/** Approved → completed (or failed with the reason), the effect applied once under the request's row lock. */
@Processor(REQUEST_QUEUES.fulfilment)
export class FulfilmentProcessor extends WorkerHost {
  private readonly logger = new Logger(FulfilmentProcessor.name);

  constructor(
    private readonly requests: RequestsService,
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async process(job: Job<RequestJobData>): Promise<void> {
    await RequestContext.create(this.orm.em, () => this.requests.fulfil(job.data.requestId));
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<RequestJobData> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? REQUEST_JOB_ATTEMPTS)) return;
    this.logger.error({ err: error, requestId: job.data.requestId }, 'fulfilment failed after its last attempt');
    await RequestContext.create(this.orm.em, () => this.requests.failAfterRetries(job.data.requestId, `Fulfilment failed after ${job.attemptsMade} attempts: ${error.message}`));
  }
}
