import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { type Dependency, unavailableDependency } from '@bank/problems/dependency-failure';
import { RequestsService } from './requests.service';

/**
 * The worker's periodic sweep, so that no request is ever stuck: it runs on a plain timer in the
 * worker process (not as a BullMQ repeatable job, which a flushed Redis would lose with the rest).
 * Every worker sweeps; deterministic job ids make that harmless.
 */
@Injectable()
export class RequestSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RequestSweepService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private waitingFor: Dependency | null = null;

  constructor(
    private readonly requests: RequestsService,
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepOnce(), this.config.requestSweepIntervalS * 1000);
    void this.sweepOnce();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** A dependency that is down is logged once per outage (its clients log their own outage too); anything else every time. */
  private sweepFailed(error: unknown): void {
    const dependency = unavailableDependency(error);
    if (dependency === null) {
      this.logger.error({ err: error }, 'request sweep failed; it tries again on the next tick');
    } else if (this.waitingFor !== dependency) {
      this.waitingFor = dependency;
      this.logger.warn(`request sweep cannot run: ${dependency} is unavailable; it tries again every tick`);
    }
  }

  private async sweepOnce(): Promise<void> {
    if (this.running) return;
    this.running = RequestContext.create(this.orm.em, async () => {
      const { requeued, expired, returned } = await this.requests.sweep();
      this.waitingFor = null;
      if (requeued + expired > 0) this.logger.warn({ requeued, expired }, 'request sweep re-enqueued stuck requests and expired overdue ones');
      if (returned > 0) this.logger.log({ returned }, 'request sweep returned stale claims to the queue');
    })
      .catch((error: unknown) => this.sweepFailed(error))
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
