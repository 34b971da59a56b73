import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { pgSessionOptions } from './pg-session-options';

/** A statement a repository sends as it is written: `$1`-style parameters, named so PostgreSQL prepares it once per connection. */
export interface SqlStatement {
  name: string;
  text: string;
}

/**
 * node-postgres under MikroORM, for the few hand-written statements on a hot path (one call to a
 * SQL function per step, the effects of a request): named prepared statements, one round trip
 * each, none of the ORM's work. A statement runs in the caller's transaction when there is one —
 * a SqlPool transaction, or else a MikroORM one (it joins that connection) — and on its own
 * otherwise. Everything else in the app goes through MikroORM.
 */
@Injectable()
export class SqlPool implements OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly transactionClient = new AsyncLocalStorage<PoolClient>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly em: EntityManager,
  ) {
    this.pool = new Pool({ ...pgSessionOptions(config), max: 4, application_name: 'bankingcore-sql' });
    // A broken idle connection is dropped by the pool; a query on a broken one fails its caller.
    this.pool.on('error', () => undefined);
  }

  async query<R extends object>(statement: SqlStatement, values: unknown[]): Promise<R[]> {
    const client = this.transactionClient.getStore();
    if (client) return (await client.query<R>({ ...statement, values })).rows;
    if (this.em.isInTransaction()) return this.em.execute<R[]>(statement.text.replace(/\$\d+/g, '?'), values);
    return (await this.pool.query<R>({ ...statement, values })).rows;
  }

  /**
   * Whether PostgreSQL answers within `timeoutMs`, for readiness: a connection that does not
   * answer in time is dropped, not kept waiting, so a stalled database cannot pile checks up.
   */
  async ping(timeoutMs: number): Promise<void> {
    const answer = this.pool.query({ text: 'select 1', query_timeout: timeoutMs } as QueryConfig);
    await Promise.race([answer, new Promise((_, reject) => setTimeout(() => reject(new Error(`PostgreSQL did not answer in ${timeoutMs} ms`)), timeoutMs).unref())]);
  }

  /** Runs `work` in one transaction: every `query` it makes (however deep) joins it; a throw rolls it back. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection whose rollback fails (lost, stalled) is dropped by the pool instead of reused.
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const result = await this.transactionClient.run(client, work);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** After in-flight requests and jobs have finished (Nest runs this hook after closing the server and draining the workers). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
