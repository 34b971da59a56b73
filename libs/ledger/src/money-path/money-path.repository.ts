import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Pool, type QueryConfig } from 'pg';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { pgSessionOptions } from '@bank/db/pg-session-options';
import type { MoneyCommandRow, MoneyOutcomeRow } from './money-command';

export interface CardToCheck {
  id: string;
  pin_hash: string;
}

/** SQLSTATE `money_execute` raises when a withdrawal's PIN was checked against a hash that has changed since. */
export const PIN_CHANGED_SQLSTATE = 'BC001';

/**
 * True for an error answer of PostgreSQL to one statement run on its own: that statement's
 * transaction rolled back, so nothing of it committed. A lost connection or a server going away
 * (classes 08, 57) leaves that unknown.
 */
export function statementRolledBack(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57');
}

/**
 * The money path's door to PostgreSQL: node-postgres with named prepared statements, on a pool of
 * its own (MikroORM serves everything else). Each call is one statement and one round trip — the
 * `money_execute` function of migration MoneyPath does the whole command there.
 */
@Injectable()
export class MoneyPathRepository implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly em: EntityManager,
  ) {
    this.pool = new Pool({ ...pgSessionOptions(config), max: config.moneyPath.connections, application_name: 'bankingcore-money-path' });
    // An idle connection that breaks is dropped by the pool; a query on a broken one fails its caller.
    this.pool.on('error', () => undefined);
  }

  /** Runs a batch in one statement (its own transaction); one outcome per command, in order. */
  async execute(commands: readonly MoneyCommandRow[]): Promise<MoneyOutcomeRow[]> {
    const query: QueryConfig = { name: 'money-execute', text: 'select money_execute($1::json) as outcomes', values: [numbered(commands)] };
    const result = await this.pool.query<{ outcomes: MoneyOutcomeRow[] }>(query);
    return result.rows[0].outcomes;
  }

  /** Runs one command inside the caller's MikroORM transaction (registration's initial deposit). */
  async executeInTransaction(command: MoneyCommandRow): Promise<MoneyOutcomeRow> {
    if (!this.em.isInTransaction()) throw new Error('executeInTransaction needs the caller’s transaction');
    const [row] = await this.em.execute<Array<{ outcomes: MoneyOutcomeRow[] | string }>>('select money_execute(?::json) as outcomes', [numbered([command])]);
    const outcomes = typeof row.outcomes === 'string' ? (JSON.parse(row.outcomes) as MoneyOutcomeRow[]) : row.outcomes;
    return outcomes[0];
  }

  /** The customer's card, read without a lock: its PIN is checked before the command locks anything. */
  async cardToCheck(ownerId: string): Promise<CardToCheck | undefined> {
    const result = await this.pool.query<CardToCheck>({ name: 'money-card-to-check', text: 'select id, pin_hash from cards where owner_id = $1', values: [ownerId] });
    return result.rows[0];
  }

  /** After in-flight requests and jobs have finished (Nest runs this hook after closing the server and draining the workers). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

function numbered(commands: readonly MoneyCommandRow[]): string {
  return JSON.stringify(commands.map((command, i) => ({ ...command, n: i + 1 })));
}
