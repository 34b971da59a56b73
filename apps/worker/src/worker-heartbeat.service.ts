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
  private missing = false;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), WORKER_HEARTBEAT_INTERVAL_MS);
  }

  /** A Redis outage stops the beats, not the worker; the shared client logs the outage, this its first missed beat. */
  private async beat(): Promise<void> {
    try {
      await beatWorkerHeart(this.redis, this.workerId);
      this.missing = false;
    } catch (error) {
      if (!this.missing) this.logger.warn(`heartbeat failed: ${(error as Error).message}; the api reports no worker until Redis answers`);
      this.missing = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await stopWorkerHeart(this.redis, this.workerId).catch(() => undefined);
  }
}
