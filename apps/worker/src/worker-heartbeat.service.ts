import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@bank/redis/redis.module';
import { beatWorkerHeart, newWorkerId, stopWorkerHeart, WORKER_HEARTBEAT_INTERVAL_MS } from '@bank/redis/worker-heartbeat';

/** Tells the api's readiness check that a worker is up. */
@Injectable()
export class WorkerHeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  private readonly workerId = newWorkerId(hostname(), process.pid, randomUUID());
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    await beatWorkerHeart(this.redis, this.workerId);
    this.timer = setInterval(() => {
      beatWorkerHeart(this.redis, this.workerId).catch((error: Error) => this.logger.warn(`heartbeat failed: ${error.message}`));
    }, WORKER_HEARTBEAT_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await stopWorkerHeart(this.redis, this.workerId).catch(() => undefined);
  }
}
