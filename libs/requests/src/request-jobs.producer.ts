import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { OutageLog } from '@bank/redis/redis-health';
import { closeQueueNow, hasRedisNow } from './bull-shutdown';
import { bullPrefix, ENQUEUE_TIMEOUT_MS, producerConnection, REQUEST_JOB_OPTIONS, REQUEST_QUEUES, requestJobId, type RequestJobData, type RequestQueue } from './request-jobs';

/**
 * Enqueues a pipeline step after the transaction that made it due has committed. If Redis is
 * unreachable the request simply waits in its status: the worker's sweep enqueues it again. Its
 * queues have connections of their own that give up quickly (the workers' wait for Redis).
 */
@Injectable()
export class RequestJobsProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(RequestJobsProducer.name);
  private readonly outage = new OutageLog('the request queues', this.logger);
  private readonly queues: Record<RequestQueue, Queue<RequestJobData>>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const queue = (name: string) => new Queue<RequestJobData>(name, { connection: producerConnection(config), prefix: bullPrefix(config) });
    this.queues = { triage: queue(REQUEST_QUEUES.triage), fulfilment: queue(REQUEST_QUEUES.fulfilment), expiry: queue(REQUEST_QUEUES.expiry) };
    for (const queue of Object.values(this.queues)) {
      queue.on('error', (error) => this.outage.failed(error));
      void queue.client.then((client) => client.on('ready', () => this.outage.recovered())).catch(() => undefined);
    }
  }

  queue(queue: RequestQueue): Queue<RequestJobData> {
    return this.queues[queue];
  }

  /**
   * Adds the step's job; its id is deterministic, so a step already queued is not queued twice.
   * Never holds its caller more than ENQUEUE_TIMEOUT_MS: the request is committed, and the
   * worker's sweep enqueues a step that did not get in.
   */
  async enqueue(queue: RequestQueue, requestId: string, delayMs = 0): Promise<void> {
    const added = this.queues[queue].add(queue, { requestId }, { ...REQUEST_JOB_OPTIONS, jobId: requestJobId(queue, requestId), delay: delayMs });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([added, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS)))]);
    } catch (error) {
      added.catch(() => undefined);
      if (!this.outage.down) this.logger.warn(`could not enqueue ${queue} of request ${requestId} (${(error as Error).message}); the sweep will retry`);
    } finally {
      clearTimeout(timer);
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

  /** While Redis is unreachable a graceful close would wait for it to come back: such a queue is closed at once. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.queues).map(async (queue) => ((await hasRedisNow(queue)) ? queue.close().catch(() => undefined) : closeQueueNow(queue))));
  }
}
