import { Injectable, SetMetadata, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { RateLimitName } from '@bank/contracts/security';

export const RATE_LIMITS_METADATA = 'bankingcore:rate-limits';

/**
 * What counts the limits a route names (the security library's RateLimitGuard, in Redis), provided
 * app-wide. A port, so that every layer can name its limits without importing the security library.
 */
export abstract class RateLimiter implements CanActivate {
  abstract canActivate(context: ExecutionContext): Promise<boolean>;
}

@Injectable()
export class RateLimitGate implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.limiter.canActivate(context);
  }
}

/**
 * The route counts against these limits (each in Redis, shared by every api process); over any
 * of them it answers 429 `RATE_LIMITED` with `Retry-After`. A route-level guard, so it runs after
 * the global auth guard and per-user limits know the user.
 */
export const RateLimit = (...names: RateLimitName[]) => applyDecorators(SetMetadata(RATE_LIMITS_METADATA, names), UseGuards(RateLimitGate));
