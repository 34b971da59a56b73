import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormOptions } from './orm-options';

/** An arbitrary constant: every process that migrates takes this advisory lock first. */
const MIGRATION_LOCK_KEY = 7_311_202_611;

export interface PrepareLog {
  info(message: string): void;
}

function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  return name;
}

function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the database named by the URL if it does not exist; safe when several processes race. */
export async function ensureDatabaseExists(databaseUrl: string, log: PrepareLog): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  const client = new Client({ connectionString: maintenanceUrl(databaseUrl) });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`create database ${quoteIdentifier(name)}`);
      log.info(`created database ${name}`);
    } catch (error) {
      // 42P04 duplicate_database / 23505: another process created it between our check and create.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await client.end();
  }
}

/** Applies pending migrations under an advisory lock, so an api and a worker starting together migrate once. */
export async function migrateToLatest(databaseUrl: string, log: PrepareLog): Promise<void> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const orm = await MikroORM.init(ormOptions(databaseUrl, { entities: [], pool: { min: 0, max: 2 } }));
    try {
      const applied = await orm.getMigrator().up();
      if (applied.length > 0) log.info(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await orm.close(true);
    }
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}

export async function prepareDatabase(databaseUrl: string, log: PrepareLog): Promise<void> {
  await ensureDatabaseExists(databaseUrl, log);
  await migrateToLatest(databaseUrl, log);
}

/** Drops a database (test teardown); disconnects its remaining sessions first. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  const client = new Client({ connectionString: maintenanceUrl(databaseUrl) });
  await client.connect();
  try {
    await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}
