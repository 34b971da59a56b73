import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import { RATE_LIMIT_NAMES } from '@bank/contracts/security';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { REDIS } from '@bank/redis/redis.module';
import { RateLimiter } from '@bank/auth/rate-limit.decorator';
import { SecurityModule } from '../security.module';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitedEvents } from './rate-limited-events';
import { MetricsRegistry } from '@bank/metrics/metrics.registry';
import { FallbackThrottlerStorage } from './fallback-throttler-storage';

/**
 * The rate limits of DESIGN.md "Security", counted in Redis (atomically, by the storage's Lua
 * script) so that they hold across api processes. Global: `@RateLimit(...)` (libs/auth) works in any module.
 * While Redis is unavailable each api process counts every limit on its own (FallbackThrottlerStorage):
 * nothing goes unlimited, money included, and nothing answers 500 for it. The api's module only
 * (the worker serves no limited route and has no metrics).
 */
@Global()
@Module({
  imports: [
    SecurityModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS, { token: MetricsRegistry, optional: true }],
      useFactory: (config: AppConfig, redis: Redis, metrics?: MetricsRegistry) => ({
        throttlers: RATE_LIMIT_NAMES.map((name) => ({ name, limit: config.rateLimits[name].limit, ttl: config.rateLimits[name].windowS * 1000 })),
        storage: new FallbackThrottlerStorage(new ThrottlerStorageRedisService(redis), {
          redisReady: () => redis.status === 'ready',
          metrics: metrics?.rateLimitFallback,
        }),
        // Retry-After comes with the 429 problem document; per-limit headers would name our internals.
        setHeaders: false,
      }),
    }),
  ],
  providers: [RateLimitedEvents, RateLimitGuard, { provide: RateLimiter, useExisting: RateLimitGuard }],
  exports: [RateLimiter],
})
export class RateLimitModule {}
