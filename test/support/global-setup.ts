import { prepareDatabase } from '../../libs/db/src/prepare-database';
import { TEST_DATABASE_URL_VAR, TEST_REDIS_PREFIX_VAR, uniqueDatabaseUrl } from './test-env';

/** One database per test run, migrated once; every worker inherits its URL. */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = uniqueDatabaseUrl('run');
  await prepareDatabase(databaseUrl, { info: () => undefined });
  process.env[TEST_DATABASE_URL_VAR] = databaseUrl;
  process.env[TEST_REDIS_PREFIX_VAR] = `bankingcore-test:${new URL(databaseUrl).pathname.slice(1)}:`;
}
