import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { watchRedis } from './redis-health';

/** Injection token of the process's shared ioredis client (commands only; subscribers make their own). */
export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      // While Redis is away a command gives up after one reconnection attempt, and none waits more
      // than 2 s for an answer (a stalled connection), so it cannot hold a request.
      useFactory: (config: AppConfig) =>
        watchRedis(
          new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, maxRetriesPerRequest: 1, commandTimeout: 2_000, enableReadyCheck: true }),
          'the shared Redis client',
          new Logger('Redis'),
        ),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
