import { Logger, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { isRedisUnavailable, withinMs } from './redis-availability';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** `switched`: Redis failed, limits are now counted in-process; `counted`: one limit checked in-process; `recovered`: Redis counts again. */
export type RateLimitFallbackEvent = 'switched' | 'counted' | 'recovered';
export const RATE_LIMIT_FALLBACK_EVENTS: readonly RateLimitFallbackEvent[] = ['switched', 'counted', 'recovered'];

/** Counts the fallback (`bankingcore_rate_limit_fallback_total` in the api; the worker has no metrics). */
export interface RateLimitFallbackCounter {
  inc(labels: { event: RateLimitFallbackEvent }, value?: number): void;
}

export interface FallbackThrottlerStorageOptions {
  /** False when Redis is known to be down (its client is reconnecting): Redis is then not even asked. */
  redisReady?: () => boolean;
  /** How long after a failure every check stays in-process before Redis is tried again (one request tries it). */
  backoffMs?: number;
  /** How long a check waits for Redis before it counts in-process instead. */
  timeoutMs?: number;
  metrics?: RateLimitFallbackCounter;
  logger?: Pick<LoggerService, 'warn' | 'log'>;
  now?: () => number;
}

export const RATE_LIMIT_FALLBACK_BACKOFF_MS = 1_000;
export const RATE_LIMIT_REDIS_TIMEOUT_MS = 500;

/**
 * The rate limits' storage: Redis (shared by every api process), and while Redis is unreachable
 * @nestjs/throttler's own in-memory storage of this process.
 *
 * What fails closed and what fails open: no limit is ever skipped. During a Redis outage each api
 * process enforces every limit on its own, so N processes allow up to N× a limit (money POSTs
 * included, each still under its per-process limit) and counts restart from zero in-process (and
 * again in Redis if Redis lost its data). The service stays up: a check never answers 500 because
 * Redis is down and never waits on Redis longer than `timeoutMs`; after a failure Redis is left
 * alone for `backoffMs`, then one check at a time tries it again. An error that is not Redis being
 * unavailable (a bug) still fails the request. Switching is one warning, recovery one info line,
 * both counted in `bankingcore_rate_limit_fallback_total`, as is every check counted in-process.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly memory = new ThrottlerStorageService();
  private readonly redisReady: () => boolean;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly logger: Pick<LoggerService, 'warn' | 'log'>;
  private readonly now: () => number;
  /** When Redis started failing; null while Redis counts. */
  private failingSince: number | null = null;
  private retryAt = 0;
  private probing = false;
  private countedInProcess = 0;

  constructor(
    private readonly redis: ThrottlerStorage,
    private readonly options: FallbackThrottlerStorageOptions = {},
  ) {
    this.redisReady = options.redisReady ?? (() => true);
    this.backoffMs = options.backoffMs ?? RATE_LIMIT_FALLBACK_BACKOFF_MS;
    this.timeoutMs = options.timeoutMs ?? RATE_LIMIT_REDIS_TIMEOUT_MS;
    this.logger = options.logger ?? new Logger('RateLimits');
    this.now = options.now ?? Date.now;
    // Every series exists from the start, so increase() over a window that saw the first switch works.
    for (const event of RATE_LIMIT_FALLBACK_EVENTS) options.metrics?.inc({ event }, 0);
  }

  /** Whether limits are being counted in this process alone right now. */
  get inFallback(): boolean {
    return this.failingSince !== null;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.failingSince === null) {
      if (!this.redisReady()) {
        this.fail('the Redis client is not connected');
      } else {
        try {
          return await withinMs(this.redis.increment(key, ttl, limit, blockDuration, throttlerName), this.timeoutMs);
        } catch (error) {
          if (!isRedisUnavailable(error)) throw error;
          this.fail((error as Error).message);
        }
      }
    } else if (this.now() >= this.retryAt && !this.probing && this.redisReady()) {
      // One check at a time finds out whether Redis is back; the others meanwhile count in-process.
      this.probing = true;
      try {
        const record = await withinMs(this.redis.increment(key, ttl, limit, blockDuration, throttlerName), this.timeoutMs);
        this.recover();
        return record;
      } catch (error) {
        if (!isRedisUnavailable(error)) throw error;
        this.retryAt = this.now() + this.backoffMs;
      } finally {
        this.probing = false;
      }
    }
    this.countedInProcess++;
    this.options.metrics?.inc({ event: 'counted' });
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }

  private fail(reason: string): void {
    this.retryAt = this.now() + this.backoffMs;
    if (this.failingSince !== null) return;
    this.failingSince = this.now();
    this.countedInProcess = 0;
    this.options.metrics?.inc({ event: 'switched' });
    this.logger.warn(`Redis is unavailable for rate limits (${reason}): each api process now enforces every limit on its own until Redis answers again`);
  }

  private recover(): void {
    if (this.failingSince === null) return;
    const seconds = ((this.now() - this.failingSince) / 1000).toFixed(1);
    this.logger.log(`Redis counts rate limits again after ${seconds} s (${this.countedInProcess} checks were counted in this process meanwhile)`);
    this.options.metrics?.inc({ event: 'recovered' });
    this.failingSince = null;
    this.countedInProcess = 0;
  }
}
