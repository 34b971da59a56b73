import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { REQUEST_JOB_OPTIONS, REQUEST_QUEUES, requestJobId, type RequestJobData, type RequestQueue } from './request-jobs';

/**
 * Enqueues a pipeline step after the transaction that made it due has committed. If Redis is
 * unreachable the request simply waits in its status: the worker's sweep enqueues it again.
 */
@Injectable()
export class RequestJobsProducer {
  private readonly logger = new Logger(RequestJobsProducer.name);
  private readonly queues: Record<RequestQueue, Queue<RequestJobData>>;

  constructor(
    @InjectQueue(REQUEST_QUEUES.triage) triage: Queue<RequestJobData>,
    @InjectQueue(REQUEST_QUEUES.fulfilment) fulfilment: Queue<RequestJobData>,
    @InjectQueue(REQUEST_QUEUES.expiry) expiry: Queue<RequestJobData>,
  ) {
    this.queues = { triage, fulfilment, expiry };
  }

  queue(queue: RequestQueue): Queue<RequestJobData> {
    return this.queues[queue];
  }

  /** Adds the step's job; its id is deterministic, so a step already queued is not queued twice. */
  async enqueue(queue: RequestQueue, requestId: string, delayMs = 0): Promise<void> {
    try {
      await this.queues[queue].add(queue, { requestId }, { ...REQUEST_JOB_OPTIONS, jobId: requestJobId(queue, requestId), delay: delayMs });
    } catch (error) {
      this.logger.warn({ err: error, requestId, queue }, 'could not enqueue; the sweep will retry');
    }
  }

  /**
   * The sweep's version: a job that is missing (Redis lost it) or finished while its request still
   * waits for it is replaced; a job still waiting, delayed or running is left alone.
   */
  async requeue(queue: RequestQueue, requestId: string): Promise<boolean> {
    const job = await this.queues[queue].getJob(requestJobId(queue, requestId));
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await job.remove();
    }
    await this.enqueue(queue, requestId);
    return true;
  }
}
