/** What the platform cannot do without: answered 503 SERVICE_UNAVAILABLE while one is unreachable. */
export type Dependency = 'postgresql' | 'redis';

/** How long a client should wait before trying again while a dependency is unreachable. */
export const DEPENDENCY_RETRY_AFTER_S = 2;

// PostgreSQL (node-postgres, pg-pool, knex): the connection is gone, never came, or answers nothing.
const POSTGRES_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection terminated',
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Knex: Timeout acquiring a connection',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];
// SQLSTATE classes and codes that say "not now", not "not this": connection exceptions, an
// administrator or crash shutdown, a server starting up, a cancelled (timed-out) statement,
// exhausted resources, a transaction ended for idling.
const POSTGRES_SQLSTATE = /^(08...|57P0[1-3]|57014|53...|25P03)$/;
// The socket to PostgreSQL (pg connects lazily, so a connect error surfaces from a query).
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// Redis (ioredis): commands refused or given up while it is unreachable.
const REDIS_MESSAGES = ['Connection is closed.', "Stream isn't writeable and enableOfflineQueue options is false", 'Reached the max retries per request limit', 'Command timed out'];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Whether `message` is `known`, or MikroORM's wrapping of it (`<the SQL> - <the driver's message>`). */
const says = (message: string, known: string) => message.startsWith(known) || message.includes(` - ${known}`);

function classify(error: ErrorLike): Dependency | null {
  const message = typeof error.message === 'string' ? error.message : '';
  const code = typeof error.code === 'string' ? error.code : '';
  if (error.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((known) => message.startsWith(known))) return 'redis';
  if (error.name === 'KnexTimeoutError' || error.name === 'ConnectionException') return 'postgresql';
  if (POSTGRES_MESSAGES.some((known) => says(message, known))) return 'postgresql';
  if (POSTGRES_SQLSTATE.test(code) || SOCKET_CODES.has(code)) return 'postgresql';
  return null;
}

/**
 * The dependency an error says is unreachable (down, refusing, timed out, stalled), or null for
 * any other error. Looks through `cause` chains, where drivers and ORMs wrap what they caught.
 */
export function unavailableDependency(error: unknown): Dependency | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const found = classify(current as ErrorLike);
    if (found) return found;
    current = (current as ErrorLike).cause;
  }
  return null;
}

/** A request still running at its deadline (REQUEST_DEADLINE_MS): answered 503 while its handler finishes in the background. */
export class RequestDeadlineExceeded extends Error {
  readonly code = 'REQUEST_DEADLINE_EXCEEDED';

  constructor(deadlineMs: number, url: string) {
    super(`${url} was not answered within its ${deadlineMs} ms deadline`);
    this.name = 'RequestDeadlineExceeded';
  }
}
