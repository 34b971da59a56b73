import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { FastifyRequest } from 'fastify';
import type { RateLimitName } from '@bank/contracts/security';
import type { RequestWithUser } from '@bank/auth/current-user.decorator';
import type { RateLimitSetting } from '@bank/config/app-config';
import { REDIS } from '@bank/redis/redis.module';
import { SecurityEventsService } from '../security-events.service';
import { emailOf, trackerDigest } from './rate-limit-trackers';
import { isRedisUnavailable, withinMs } from './redis-availability';

/** How long a 429 waits for the shared sample in Redis before sampling in this process instead. */
const SAMPLE_TIMEOUT_MS = 250;
/** Trackers sampled in-process during a Redis outage, at most (a wider flood is counted, not recorded). */
const LOCAL_SAMPLES_MAX = 10_000;

/**
 * What an admin should read into a refusal under a limit, where "too many requests" says too
 * little: each account lookup (and each payee saved, which counts under the same limit) names a
 * holder, so a customer past the lookup limit is trying numbers to learn who banks here.
 */
const REFUSAL_REASONS: Partial<Record<RateLimitName, string>> = {
  'lookup-user': 'account lookups beyond the limit: probing account numbers for their holders',
};

/**
 * The `rate_limited` security events, sampled: the first refusal of a tracker under a limit in
 * each window is recorded (a Redis SET NX shared by every api process), the rest only counted by
 * the throttler, so a flood cannot flood the trail. While Redis is unavailable (or slow) the sample
 * is taken in this process instead — once per api process — and the 429 never waits on Redis.
 */
@Injectable()
export class RateLimitedEvents {
  private readonly logger = new Logger(RateLimitedEvents.name);
  /** Sample key → when its window ends (ms), used only while Redis cannot answer. */
  private readonly localSamples = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly security: SecurityEventsService,
  ) {}

  /** `setting` is the limit that refused; one with a reason in REFUSAL_REASONS adds the reason and its figures to the event's detail. */
  async refused(name: RateLimitName, tracker: string, setting: RateLimitSetting, request: FastifyRequest & RequestWithUser): Promise<void> {
    try {
      if (!(await this.firstRefusalInWindow(`rate-limit-event:${name}:${trackerDigest(tracker)}`, setting.windowS))) return;
      const email = name.endsWith('-email') ? emailOf(request) : null;
      const reason = REFUSAL_REASONS[name];
      await this.security.record('rate_limited', {
        userId: request.user?.id ?? null,
        ip: request.ip ?? null,
        detail: {
          limit: name,
          method: request.method,
          path: request.url.split('?')[0],
          ...(email ? { email } : {}),
          ...(reason ? { reason, allowed: setting.limit, windowS: setting.windowS } : {}),
        },
      });
    } catch (error) {
      // The 429 stands either way; a missing sample is only a gap in the trail.
      this.logger.error(`could not record a rate_limited event: ${(error as Error).message}`);
    }
  }

  private async firstRefusalInWindow(key: string, windowS: number): Promise<boolean> {
    if (this.redis.status === 'ready') {
      try {
        return (await withinMs(this.redis.set(key, '1', 'EX', windowS, 'NX'), SAMPLE_TIMEOUT_MS)) === 'OK';
      } catch (error) {
        if (!isRedisUnavailable(error)) throw error;
      }
    }
    return this.firstLocalRefusal(key, windowS);
  }

  private firstLocalRefusal(key: string, windowS: number): boolean {
    const now = Date.now();
    if ((this.localSamples.get(key) ?? 0) > now) return false;
    if (this.localSamples.size >= LOCAL_SAMPLES_MAX) {
      for (const [sampled, until] of this.localSamples) if (until <= now) this.localSamples.delete(sampled);
      if (this.localSamples.size >= LOCAL_SAMPLES_MAX) return false;
    }
    this.localSamples.set(key, now + windowS * 1000);
    return true;
  }
}
