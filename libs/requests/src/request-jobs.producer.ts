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

  constructor(
    @InjectQueue(REQUEST_QUEUES.triage) private readonly triage: Queue<RequestJobData>,
    @InjectQueue(REQUEST_QUEUES.fulfilment) private readonly fulfilment: Queue<RequestJobData>,
  ) {}

  async enqueue(queue: RequestQueue, requestId: string): Promise<void> {
    const target = queue === 'triage' ? this.triage : this.fulfilment;
    try {
      await target.add(queue, { requestId }, { ...REQUEST_JOB_OPTIONS, jobId: requestJobId(queue, requestId) });
    } catch (error) {
      this.logger.warn({ err: error, requestId, queue }, 'could not enqueue; the sweep will retry');
    }
  }
}
