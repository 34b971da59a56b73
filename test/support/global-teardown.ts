import Redis from 'ioredis';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { REDIS_URL, TEST_DATABASE_URL_VAR, TEST_REDIS_PREFIX_VAR } from './test-env';

/** Drops the run's database and its Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const databaseUrl = process.env[TEST_DATABASE_URL_VAR];
  if (databaseUrl) await dropDatabase(databaseUrl);
  const prefix = process.env[TEST_REDIS_PREFIX_VAR];
  if (prefix) {
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
