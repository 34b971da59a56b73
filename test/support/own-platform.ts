import type { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { dropDatabase, prepareDatabase } from '../../libs/db/src/prepare-database';
import { testConfig, TestApp, type TestStaff } from './test-app';
import { REDIS_URL, testRedisPrefix, uniqueDatabaseUrl } from './test-env';
import { startWorkerContext } from './worker-context';

/**
 * An api and a worker (relay, processors, sweep) in this process, on a database and a Redis prefix
 * of their own — for a suite whose checks (the ledger check, the queues) must see nothing of other
 * suites. `close()` removes all of it.
 */
export class OwnPlatform {
  private readonly otherApis: TestApp[] = [];

  private constructor(
    readonly app: TestApp,
    readonly worker: INestApplicationContext,
    readonly employee: TestStaff,
    readonly databaseUrl: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `overrides`: environment variables for both processes (e.g. a short HOLD_TTL_S); `workerOverrides`: for the worker only. */
  static async start(label: string, overrides: Record<string, string> = {}, workerOverrides: Record<string, string> = {}): Promise<OwnPlatform> {
    const databaseUrl = uniqueDatabaseUrl(label);
    const env = { DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: `${testRedisPrefix()}${label}-${Date.now()}-${process.pid}:`, ...overrides };
    await prepareDatabase(databaseUrl, { info: () => undefined });
    const app = await TestApp.start(env);
    const worker = await startWorkerContext(testConfig({ ...env, ...workerOverrides }));
    return new OwnPlatform(app, worker, await app.newStaff('employee'), databaseUrl, env);
  }

  /** Another api on the same database and Redis, with other settings (the worker is shared); closed with the platform. */
  async startApi(overrides: Record<string, string>): Promise<TestApp> {
    const api = await TestApp.start({ ...this.env, ...overrides });
    this.otherApis.push(api);
    return api;
  }

  async close(): Promise<void> {
    const redisPrefix = this.env.REDIS_KEY_PREFIX;
    for (const api of this.otherApis) await api.close().catch(() => undefined);
    await this.worker.close();
    await this.app.close();
    const redis = new Redis(REDIS_URL, { keyPrefix: redisPrefix });
    try {
      await deleteKeys(redis, redisPrefix);
    } finally {
      redis.disconnect();
    }
    await dropDatabase(this.databaseUrl);
  }
}

/** Deletes every key under `prefix` (the client must use that keyPrefix). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  // SCAN does not apply the client's keyPrefix; DEL does, so strip it from the keys found.
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    cursor = next;
  } while (cursor !== '0');
}
