import { randomUUID } from 'node:crypto';
import type { TransactionPostedData } from '@bank/contracts/events';
import type { LedgerCheck } from '@bank/contracts/ledger';
import { type Answer, type Customer, FaultyPlatform, KeyedTransfers } from '../support/faulty-platform';
import { eventually, LiveClient } from '../support/live-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FUNDS = 1_000_000;

/** The platform's money is where it should be: the ledger balances and the customers hold exactly what they were given. */
async function expectMoneyExact(platform: FaultyPlatform, customers: readonly Customer[], deposited: number): Promise<void> {
  const check = await platform.call<LedgerCheck>('GET', '/api/v1/admin/ledger/check', { token: await platform.admin() });
  expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
  const [held] = await platform.sql<{ total: string }>('select sum(balance) as total from accounts where id = any($1)', [customers.map((c) => c.accountId)]);
  expect(Number(held.total)).toBe(customers.length * FUNDS + deposited);
}

/** Every key the clients used is one transfer in the ledger, the one its 201 named. */
async function expectEveryKeyOnce(platform: FaultyPlatform, load: KeyedTransfers): Promise<void> {
  const rows = await platform.sql<{ description: string; ids: string[] }>(
    `select description, array_agg(id::text) as ids from ledger_transactions where kind = 'transfer' and description like 'fault-%' group by description`,
  );
  expect(rows.filter((row) => row.ids.length > 1)).toEqual([]);
  expect(new Map(rows.map((row) => [row.description, row.ids[0]]))).toEqual(load.committed);
}

/**
 * Issue 15: PostgreSQL cut off for 5 s while customers move money (through a TCP proxy in front of
 * the shared server, under `npm start`). Clients see 201s and 503s only; once it is back every
 * process recovers by itself within 5 s; the launcher never restarts anything; nothing is lost.
 */
describe('PostgreSQL cut for 5 s under load', () => {
  let platform: FaultyPlatform;
  beforeAll(async () => {
    platform = await FaultyPlatform.start('pgcut', { RATE_LIMITS: 'off' });
  });
  afterAll(() => platform?.stop());

  it('answers 201 or 503 throughout, recovers within 5 s, and every retried key moved money once', async () => {
    const customers = await Promise.all(Array.from({ length: 6 }, () => platform.customer(FUNDS)));
    const watcher = await LiveClient.resuming(platform.base, customers[0].token, '0');
    const load = new KeyedTransfers(platform, customers);
    try {
      load.start(6);
      await eventually(() => load.committed.size >= 40, 'transfers before the cut', 20_000);

      const cutAt = Date.now();
      platform.postgres.cut();
      await sleep(300);
      // While it is down: readiness says so, and every call that needs the database is a 503 naming it.
      expect((await platform.call('GET', '/health/ready')).status).toBe(503);
      expect((await platform.call('GET', '/health/live')).status).toBe(200);
      const down = await platform.call('GET', '/api/v1/accounts', { token: customers[0].token });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('2');
      expect(down.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, dependency: 'postgresql' });
      await sleep(5_000 - (Date.now() - cutAt));
      platform.postgres.restore();
      const restoredAt = Date.now();

      // The api answers, readiness is green, and the relay publishes again: each within 5 s.
      await platform.answersWithin(() => platform.call('GET', '/api/v1/accounts', { token: customers[0].token }), 200, 5_000);
      await platform.answersWithin(() => platform.call('GET', '/health/ready'), 200, 5_000 - (Date.now() - restoredAt));
      let marker: Answer<{ transaction: { id: string } }>;
      do marker = await platform.call('POST', `/api/v1/accounts/${customers[0].accountId}/deposits`, { token: customers[0].token, headers: { 'idempotency-key': 'after-the-cut' }, body: { amount: 1 } });
      while (marker.status === 503);
      expect(marker.status).toBe(201);
      const posted = () => watcher.ofType('transaction.posted').map((event) => (event.data as TransactionPostedData).transactionId);
      await eventually(() => posted().includes(marker.body.transaction.id), 'the relay to publish after the cut', Math.max(0, 5_000 - (Date.now() - restoredAt)));

      await sleep(1_000); // a little traffic after the recovery too
    } finally {
      await load.stop();
    }

    // Only 201s and 503s, and some of each (the cut happened under load).
    expect(load.statusesSeen()).toEqual([201, 503]);
    await expectEveryKeyOnce(platform, load);
    await expectMoneyExact(platform, customers, 1); // the one-unit deposit after the cut

    // The watcher was owed every posting of its account, each once, none missing.
    const [{ ids }] = await platform.sql<{ ids: string[] }>('select array_agg(distinct transaction_id::text) as ids from ledger_entries where account_id = $1', [customers[0].accountId]);
    await eventually(() => new Set(watcher.ofType('transaction.posted').map((e) => (e.data as TransactionPostedData).transactionId)).size === ids.length, 'every posting at the watcher', 10_000);
    expect(new Set(watcher.ofType('transaction.posted').map((e) => (e.data as TransactionPostedData).transactionId))).toEqual(new Set(ids));
    watcher.close();

    // No process stopped: the launcher never had to start one again.
    expect(platform.launcher.output).not.toMatch(/exited \(/);
    expect(platform.launcher.output).toMatch(/outbox relay lost PostgreSQL/);
  });
});

/**
 * Issue 15: PostgreSQL stops answering for 15 s (the proxy holds every byte, connections stay
 * open). With a 3 s request deadline no request waits longer; each is a 503; liveness answers at
 * once throughout; afterwards the retried keys complete, once each.
 */
describe('PostgreSQL stalled for 15 s', () => {
  const DEADLINE_MS = 3_000;
  let platform: FaultyPlatform;
  beforeAll(async () => {
    platform = await FaultyPlatform.start('pgstall', {
      RATE_LIMITS: 'off',
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    });
  });
  afterAll(() => platform?.stop());

  it('gives each request a 503 within the deadline, keeps /health/live answering, and is consistent after', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => platform.customer(FUNDS)));
    const [alice, bob] = customers;
    const transferKeys: string[] = [];
    const requestKeys: string[] = [];
    const during: Array<{ what: string; status: number; ms: number; code?: unknown }> = [];
    const liveness: Answer[] = [];

    const stallAt = Date.now();
    platform.postgres.stall();
    const stalled = () => Date.now() - stallAt < 15_000;
    const probes = (async () => {
      while (stalled()) {
        liveness.push(await platform.call('GET', '/health/live'));
        await sleep(250);
      }
    })();
    const calls: Array<() => Promise<void>> = [
      async () => {
        const key = `fault-${randomUUID()}`;
        transferKeys.push(key);
        const answer = await platform.call('POST', '/api/v1/transfers', { token: alice.token, headers: { 'idempotency-key': key }, body: { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 7, description: key } });
        during.push({ what: 'transfer', status: answer.status, ms: answer.ms, code: (answer.body as { code?: unknown })?.code });
      },
      async () => {
        const answer = await platform.call('GET', '/api/v1/accounts', { token: bob.token });
        during.push({ what: 'accounts', status: answer.status, ms: answer.ms, code: (answer.body as { code?: unknown })?.code });
      },
      async () => {
        const key = `request-${randomUUID()}`;
        requestKeys.push(key);
        const answer = await platform.call('POST', '/api/v1/service-requests', { token: bob.token, headers: { 'idempotency-key': key }, body: { type: 'limit_increase', accountId: bob.accountId, details: { dailyLimit: 2_000_000 } } });
        during.push({ what: 'service request', status: answer.status, ms: answer.ms, code: (answer.body as { code?: unknown })?.code });
      },
      async () => {
        const answer = await platform.call('POST', '/api/v1/auth/login', { body: { email: bob.email, password: 'correct-horse-battery' } });
        during.push({ what: 'login', status: answer.status, ms: answer.ms, code: (answer.body as { code?: unknown })?.code });
      },
    ];
    const inFlight: Promise<void>[] = [];
    for (let i = 0; Date.now() - stallAt < 15_000 - DEADLINE_MS - 1_000; i++) {
      inFlight.push(calls[i % calls.length]());
      await sleep(150);
    }
    await Promise.all(inFlight);
    await probes;
    platform.postgres.restore();

    expect(during.length).toBeGreaterThan(40);
    // Each was answered 503 within the deadline (and the little it takes to send the answer).
    expect(during.filter((call) => call.status !== 503 || call.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(Math.max(...during.map((call) => call.ms))).toBeLessThan(DEADLINE_MS + 500);
    // The event loop never waited on the database: liveness answered at once, all along.
    expect(liveness.length).toBeGreaterThan(30);
    expect(liveness.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(Math.max(...liveness.map((answer) => answer.ms))).toBeLessThan(500);

    // After the stall: ready again, and every key the clients retry completes exactly once.
    await platform.answersWithin(() => platform.call('GET', '/health/ready'), 200, 10_000);
    const transfers = new Map<string, string>();
    for (const key of transferKeys) {
      const answer = await platform.call<{ transaction: { id: string } }>('POST', '/api/v1/transfers', { token: alice.token, headers: { 'idempotency-key': key }, body: { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 7, description: key } });
      expect(answer.status).toBe(201);
      transfers.set(key, answer.body.transaction.id);
    }
    const requests = new Set<string>();
    for (const key of requestKeys) {
      const answer = await platform.call<{ id: string }>('POST', '/api/v1/service-requests', { token: bob.token, headers: { 'idempotency-key': key }, body: { type: 'limit_increase', accountId: bob.accountId, details: { dailyLimit: 2_000_000 } } });
      expect(answer.status).toBe(202);
      requests.add(answer.body.id);
    }
    const [{ n: filed }] = await platform.sql<{ n: number }>('select count(*)::int as n from service_requests where owner_id = $1', [bob.userId]);
    expect(filed).toBe(requestKeys.length);
    expect(requests.size).toBe(requestKeys.length);

    const rows = await platform.sql<{ description: string; ids: string[] }>(`select description, array_agg(id::text) as ids from ledger_transactions where kind = 'transfer' group by description`);
    expect(new Map(rows.map((row) => [row.description, row.ids]))).toEqual(new Map([...transfers].map(([key, id]) => [key, [id]])));
    const check = await platform.call<LedgerCheck>('GET', '/api/v1/admin/ledger/check', { token: await platform.admin() });
    expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
    expect(await platform.sql<{ balance: string }>('select balance from accounts where id = $1', [alice.accountId])).toEqual([{ balance: String(FUNDS - 7 * transferKeys.length) }]);
    expect(platform.launcher.output).not.toMatch(/exited \(/);
  });
});
