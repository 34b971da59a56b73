import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { FastifyRequest } from 'fastify';
import type { RateLimitName } from '@bank/contracts/security';
import type { RequestWithUser } from '@bank/auth/current-user.decorator';
import { REDIS } from '@bank/redis/redis.module';
import { SecurityEventsService } from '../security-events.service';
import { emailOf, trackerDigest } from './rate-limit-trackers';

/**
 * The `rate_limited` security events, sampled: the first refusal of a tracker under a limit in
 * each window is recorded (a Redis SET NX shared by every api process), the rest only counted by
 * the throttler, so a flood cannot flood the trail.
 */
@Injectable()
export class RateLimitedEvents {
  private readonly logger = new Logger(RateLimitedEvents.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly security: SecurityEventsService,
  ) {}

  async refused(name: RateLimitName, tracker: string, windowS: number, request: FastifyRequest & RequestWithUser): Promise<void> {
    try {
      const first = await this.redis.set(`rate-limit-event:${name}:${trackerDigest(tracker)}`, '1', 'EX', windowS, 'NX');
      if (first !== 'OK') return;
      const email = name.endsWith('-email') ? emailOf(request) : null;
      await this.security.record('rate_limited', {
        userId: request.user?.id ?? null,
        ip: request.ip ?? null,
        detail: { limit: name, method: request.method, path: request.url.split('?')[0], ...(email ? { email } : {}) },
      });
    } catch (error) {
      // The 429 stands either way; a missing sample is only a gap in the trail.
      this.logger.error(`could not record a rate_limited event: ${(error as Error).message}`);
    }
  }
}
