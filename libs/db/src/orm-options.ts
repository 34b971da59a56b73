import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MIGRATIONS } from './migrations/migration-list';

export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** The MikroORM options every process shares; entities come from the feature modules. */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, tableName: MIGRATIONS_TABLE, transactional: true, allOrNothing: true, silent: true },
    forceUtcTimezone: true,
    ensureDatabase: false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 10 },
    ...overrides,
  });
}
