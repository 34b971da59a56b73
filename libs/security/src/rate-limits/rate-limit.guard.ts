import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { RateLimitName } from '@bank/contracts/security';
import type { RequestWithUser } from '@bank/auth/current-user.decorator';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { RateLimited } from '@bank/problems/domain-error';
import { RATE_LIMITS_METADATA, type RateLimiter } from '@bank/auth/rate-limit.decorator';
import { RateLimitedEvents } from './rate-limited-events';
import { trackerDigest, trackerOf } from './rate-limit-trackers';

/**
 * @nestjs/throttler's guard with every limit of the platform registered as a named throttler, of
 * which a route counts only those its `@RateLimit(...)` names, keyed by what each limit tracks.
 * The RateLimiter behind every `@RateLimit(...)` route's gate.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard implements RateLimiter {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: RateLimitedEvents,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(): Promise<boolean> {
    return !this.config.rateLimitsOn;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const name = props.throttler.name as RateLimitName;
    const names = this.reflector.getAllAndOverride<RateLimitName[] | undefined>(RATE_LIMITS_METADATA, [props.context.getHandler(), props.context.getClass()]) ?? [];
    if (!names.includes(name)) return true;
    const request = props.context.switchToHttp().getRequest<FastifyRequest & RequestWithUser>();
    const tracker = trackerOf(name, request);
    if (tracker === null) return true;
    try {
      return await super.handleRequest({ ...props, getTracker: () => tracker, generateKey: () => `rate-limit:${name}:${trackerDigest(tracker)}` });
    } catch (error) {
      if (error instanceof RateLimited) await this.events.refused(name, tracker, this.config.rateLimits[name], request);
      throw error;
    }
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimited(Math.max(1, detail.timeToBlockExpire), 'Too many requests: try again later.');
  }
}
