import { Injectable, Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import { REQUEST_JOB_ATTEMPTS, REQUEST_QUEUES, REQUEST_WORKER_OPTIONS, type RequestJobData } from './request-jobs';
import { RequestsService } from './requests.service';

/** Runs one step of a request in its own MikroORM context; each step checks state first, so a retry or a duplicate is harmless. */
@Injectable() // so that its constructor's parameter types are emitted for the subclasses' injection
abstract class RequestStepProcessor extends WorkerHost {
  constructor(
    protected readonly requests: RequestsService,
    protected readonly orm: MikroORM,
  ) {
    super();
  }

  protected abstract step(requestId: string): Promise<unknown>;

  async process(job: Job<RequestJobData>): Promise<void> {
    await RequestContext.create(this.orm.em, () => this.step(job.data.requestId));
  }
}

/** Submitted → pending_review. */
@Processor(REQUEST_QUEUES.triage, REQUEST_WORKER_OPTIONS)
export class TriageProcessor extends RequestStepProcessor {
  protected step(requestId: string): Promise<void> {
    return this.requests.triage(requestId);
  }
}

/** A delayed job: awaiting_customer → expired once the input window has passed; an undecided transfer review (and its hold) once the hold's time is up. */
@Processor(REQUEST_QUEUES.expiry, REQUEST_WORKER_OPTIONS)
export class ExpiryProcessor extends RequestStepProcessor {
  protected async step(requestId: string): Promise<boolean> {
    return (await this.requests.expire(requestId)) || (await this.requests.expireReview(requestId));
  }
}

/** Approved → completed (or failed with the reason), the effect applied once under the request's row lock. */
@Processor(REQUEST_QUEUES.fulfilment, REQUEST_WORKER_OPTIONS)
export class FulfilmentProcessor extends RequestStepProcessor {
  private readonly logger = new Logger(FulfilmentProcessor.name);

  protected step(requestId: string): Promise<void> {
    return this.requests.fulfil(requestId);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<RequestJobData> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? REQUEST_JOB_ATTEMPTS)) return;
    this.logger.error({ err: error, requestId: job.data.requestId }, 'fulfilment failed after its last attempt');
    await RequestContext.create(this.orm.em, () => this.requests.failAfterRetries(job.data.requestId, `Fulfilment failed after ${job.attemptsMade} attempts: ${error.message}`));
  }
}
