import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { REDIS } from '@bank/redis/redis.module';
import { countLiveWorkers } from '@bank/redis/worker-heartbeat';
import { Public } from '@bank/auth/public.decorator';
import { SqlPool } from '@bank/db/sql-pool';

const CHECK_TIMEOUT_MS = 1_500;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** Liveness (the process answers) and readiness (PostgreSQL, Redis and a worker answer). */
@ApiTags('health')
@Public()
@Controller(['health', 'api/v1/health'])
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly sql: SqlPool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.checkDatabase(), () => this.checkRedis()];
    if (this.config.readyRequiresWorker) checks.push(() => this.checkWorker());
    return this.health.check(checks);
  }

  /** Through SqlPool's bounded ping: a check that gives up holds no pooled connection. */
  private async checkDatabase() {
    const session = this.indicators.check('database');
    try {
      await this.sql.ping(CHECK_TIMEOUT_MS);
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  private async checkRedis() {
    const session = this.indicators.check('redis');
    try {
      await withTimeout(this.redis.ping(), 'Redis');
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  private async checkWorker() {
    const session = this.indicators.check('worker');
    try {
      const workers = await withTimeout(countLiveWorkers(this.redis), 'Redis');
      return workers > 0 ? session.up({ workers }) : session.down({ message: 'no worker has reported in the last 10 s', workers });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
