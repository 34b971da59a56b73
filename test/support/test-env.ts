/** Names the per-run resources global-setup creates; workers read them from the environment. */
export const TEST_DATABASE_URL_VAR = 'BANKINGCORE_TEST_DATABASE_URL';
export const TEST_REDIS_PREFIX_VAR = 'BANKINGCORE_TEST_REDIS_PREFIX';

export const POSTGRES_SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testDatabaseUrl(): string {
  const url = process.env[TEST_DATABASE_URL_VAR];
  if (!url) throw new Error(`${TEST_DATABASE_URL_VAR} is not set: run the tests through jest (global-setup creates the database)`);
  return url;
}

export function testRedisPrefix(): string {
  return process.env[TEST_REDIS_PREFIX_VAR] ?? 'bankingcore-test:';
}

/** A fresh database name for a test that needs its own (e.g. to watch start-up create it). */
export function uniqueDatabaseUrl(label: string): string {
  const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return `${POSTGRES_SERVER_URL}/bankingcore_test_${label}_${suffix}`;
}
