import { problemOf } from './problem-mapping';
import { RequestDeadlineExceeded, unavailableDependency } from './dependency-failure';

const withCode = (message: string, code: string, name = 'Error') => Object.assign(new Error(message), { code, name });

/** Each error the drivers raise while PostgreSQL or Redis is unreachable, as they raise it. */
const UNAVAILABLE: Array<[string, Error, 'postgresql' | 'redis']> = [
  ['pg: the connection dropped mid-query', new Error('Connection terminated unexpectedly'), 'postgresql'],
  ['pg: connecting timed out', new Error('Connection terminated due to connection timeout'), 'postgresql'],
  ['pg: connecting timed out (connectionTimeoutMillis)', new Error('timeout expired'), 'postgresql'],
  ['pg-pool: no free connection in time', new Error('timeout exceeded when trying to connect'), 'postgresql'],
  ['pg: no answer within query_timeout (a stall)', new Error('Query read timeout'), 'postgresql'],
  ['pg: a client broken by an earlier error', new Error('Client has encountered a connection error and is not queryable'), 'postgresql'],
  ['pg: connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'postgresql'],
  ['pg: connection reset', withCode('read ECONNRESET', 'ECONNRESET'), 'postgresql'],
  ['PostgreSQL: statement_timeout (57014)', withCode('canceling statement due to statement timeout', '57014'), 'postgresql'],
  ['PostgreSQL: admin shutdown (57P01)', withCode('terminating connection due to administrator command', '57P01'), 'postgresql'],
  ['PostgreSQL: starting up (57P03)', withCode('the database system is starting up', '57P03'), 'postgresql'],
  ['PostgreSQL: too many connections (53300)', withCode('sorry, too many clients already', '53300'), 'postgresql'],
  ['PostgreSQL: connection failure (08006)', withCode('connection failure', '08006'), 'postgresql'],
  ['PostgreSQL: idle transaction ended (25P03)', withCode('terminating connection due to idle-in-transaction timeout', '25P03'), 'postgresql'],
  ['knex: no pooled connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }), 'postgresql'],
  ['MikroORM: knex found no pooled connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), { name: 'DriverException' }), 'postgresql'],
  ['MikroORM: a query with no answer in time (the SQL, then the driver’s message)', Object.assign(new Error('select "a0".* from "accounts" as "a0" where "a0"."owner_id" = \'x\' - Query read timeout'), { name: 'DriverException' }), 'postgresql'],
  ['MikroORM: a wrapped connection error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { name: 'ConnectionException', code: 'ECONNREFUSED' }), 'postgresql'],
  ['ioredis: gave up while reconnecting', Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' }), 'redis'],
  ['ioredis: the connection is gone', new Error('Connection is closed.'), 'redis'],
  ['ioredis: no offline queue', new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'redis'],
  ['ioredis: no answer within commandTimeout (a stall)', new Error('Command timed out'), 'redis'],
  ['a wrapper whose cause is a lost connection', new Error('could not record the event', { cause: new Error('Connection terminated unexpectedly') }), 'postgresql'],
];

describe('dependency failures are 503 SERVICE_UNAVAILABLE with Retry-After, never 500', () => {
  it.each(UNAVAILABLE)('%s', (_label, error, dependency) => {
    expect(unavailableDependency(error)).toBe(dependency);
    expect(problemOf(error)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', extensions: { dependency }, headers: { 'Retry-After': '2' } });
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation (23505)', withCode('duplicate key value violates unique constraint', '23505')],
    ['a check violation (23514)', withCode('new row violates check constraint', '23514')],
    ['a Redis reply error', Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' })],
  ])('and %s stays a 500', (_label, error) => {
    expect(unavailableDependency(error)).toBeNull();
    expect(problemOf(error)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });

  it('a request past its deadline (REQUEST_DEADLINE_MS) is 503 too', () => {
    expect(problemOf(new RequestDeadlineExceeded(10_000, '/api/v1/transfers'))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', headers: { 'Retry-After': '2' } });
  });
});
