import { hostname } from 'node:os';
import Redis from 'ioredis';
import { loadProcessConfig } from '@bank/config/app-config';
import { liveWorkerIds } from '@bank/redis/worker-heartbeat';

/**
 * Container health check of a worker (it has no HTTP port): exit 0 if a worker on this host has
 * sent its heartbeat to Redis recently, else 1.
 */
async function main(): Promise<void> {
  const config = loadProcessConfig();
  const redis = new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    const ids = await liveWorkerIds(redis);
    process.exit(ids.some((id) => id.startsWith(`${hostname()}:`)) ? 0 : 1);
  } finally {
    redis.disconnect();
  }
}

main().catch(() => process.exit(1));
