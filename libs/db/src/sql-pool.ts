import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';

/** A statement a repository sends as it is written: `$1`-style parameters, named so PostgreSQL prepares it once per connection. */
export interface SqlStatement {
  name: string;
  text: string;
}

/**
 * node-postgres under MikroORM, for the few hand-written statements on a hot path (one call to a
 * SQL function per step): named prepared statements, one round trip each, none of the ORM's work.
 * Inside a MikroORM transaction a statement joins it instead (the caller's unit of work stays one
 * transaction); everything else in the app goes through MikroORM.
 */
@Injectable()
export class SqlPool implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly em: EntityManager,
  ) {
    this.pool = new Pool({ connectionString: config.databaseUrl, max: 4, application_name: 'bankingcore-sql' });
    // A broken idle connection is dropped by the pool; a query on a broken one fails its caller.
    this.pool.on('error', () => undefined);
  }

  async query<R extends object>(statement: SqlStatement, values: unknown[]): Promise<R[]> {
    if (this.em.isInTransaction()) return this.em.execute<R[]>(statement.text.replace(/\$\d+/g, '?'), values);
    return (await this.pool.query<R>({ ...statement, values })).rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
