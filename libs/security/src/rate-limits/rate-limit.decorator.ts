import { SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import type { RateLimitName } from '@bank/contracts/security';
import { RATE_LIMITS_METADATA, RateLimitGuard } from './rate-limit.guard';

/**
 * The route counts against these limits (each in Redis, shared by every api process); over any
 * of them it answers 429 `RATE_LIMITED` with `Retry-After`. A route-level guard, so it runs after
 * the global auth guard and per-user limits know the user.
 */
export const RateLimit = (...names: RateLimitName[]) => applyDecorators(SetMetadata(RATE_LIMITS_METADATA, names), UseGuards(RateLimitGuard));
