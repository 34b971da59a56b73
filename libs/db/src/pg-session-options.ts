import type { AppConfig } from '@bank/config/app-config';

/** How long past PostgreSQL's own statement timeout the client stops waiting (a stalled network sends nothing back). */
const CLIENT_WAIT_MARGIN_MS = 1_000;

export interface PgSessionOptions {
  connectionString: string;
  /** Sent at connect: PostgreSQL cancels a statement running longer. */
  statement_timeout: number;
  /** Sent at connect: PostgreSQL ends a session left idle inside a transaction, releasing its locks. */
  idle_in_transaction_session_timeout: number;
  /** Connecting (and, in a pool, waiting for a free connection) gives up after this long. */
  connectionTimeoutMillis: number;
  /** The client gives up on an answer after this long even if the server never sends one (a stall); a pool then drops that connection. */
  query_timeout: number;
}

/**
 * The bounded waits every runtime connection of a process uses (issue 15): no statement, no
 * transaction left open and no connection attempt can hold a request longer than these, whether
 * PostgreSQL is slow, gone, or silent behind a stalled network. Migrations connect without them.
 */
export function pgSessionOptions(config: AppConfig): PgSessionOptions {
  const { statementTimeoutMs, connectTimeoutMs } = config.database;
  return {
    connectionString: config.databaseUrl,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_WAIT_MARGIN_MS,
  };
}
