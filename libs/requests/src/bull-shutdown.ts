import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { REQUEST_QUEUES } from './request-jobs';

/** How long a connection still being set up is given to say whether Redis answers. */
const STATUS_WAIT_MS = 100;

/**
 * Whether a BullMQ queue's or worker's connection has Redis right now. A graceful close of one
 * that has not sends QUIT into ioredis's offline queue and waits for Redis to come back — for
 * ever, during an outage — so those are disconnected or force-closed instead.
 */
export async function hasRedisNow(target: { client: Promise<{ status: string }> }): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const status = await Promise.race([
    target.client.then((client) => client.status).catch(() => 'end'),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('connecting'), STATUS_WAIT_MS))),
  ]);
  clearTimeout(timer);
  return status === 'ready';
}

interface WithConnection {
  connection: { close(force: boolean): Promise<void> };
}

/**
 * Closes a queue without waiting for Redis. Its public `disconnect()` waits for ioredis's `end`
 * event, which a client between two reconnection attempts never emits; the connection's forced
 * close drops the client at once, and a later `close()` finds it closed.
 */
export async function closeQueueNow(queue: Queue): Promise<void> {
  await (queue as unknown as WithConnection).connection.close(true).catch(() => undefined);
}

/**
 * The queues @nestjs/bullmq registered close gracefully in its own shutdown hook; one whose Redis
 * is unreachable is closed at once first, so that hook finds it closed instead of waiting.
 */
@Injectable()
export class RegisteredQueuesShutdown implements BeforeApplicationShutdown {
  private readonly queues: Queue[];

  constructor(@InjectQueue(REQUEST_QUEUES.triage) triage: Queue, @InjectQueue(REQUEST_QUEUES.fulfilment) fulfilment: Queue, @InjectQueue(REQUEST_QUEUES.expiry) expiry: Queue) {
    this.queues = [triage, fulfilment, expiry];
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map(async (queue) => (await hasRedisNow(queue)) || (await closeQueueNow(queue))));
  }
}
