import { Client } from 'pg';
import type { RequestView } from '@bank/contracts/requests';
import { bearer, type TestStaff } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually } from '../support/live-client';
import { OwnRedisServer } from '../support/redis-server';
import { RequestFlow } from '../support/request-flow';

/**
 * The pipeline when things break: Redis loses every job, a worker dies mid-fulfilment, a job
 * throws on every attempt. Its own Redis server (FLUSHALL must not touch the other suites) and a
 * sweep that looks every second for requests stuck longer than one.
 */
describe('service-request pipeline recovery (own Redis, real worker processes)', () => {
  let redis: OwnRedisServer;
  let stack: LiveStack;
  let employee: TestStaff;
  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    stack = await LiveStack.start('recovery', { REDIS_URL: redis.url, REQUEST_SWEEP_AFTER_S: '1', REQUEST_SWEEP_INTERVAL_S: '1' });
    employee = await stack.app.newStaff('employee');
  });
  afterAll(async () => {
    await stack.stop();
    await redis.stop();
  });
  const t = () => stack.app;
  const flow = new RequestFlow(t, () => employee);
  const currentWorker = () => stack.workers[stack.workers.length - 1];
  const historyOf = async (id: string) => (await flow.get(id, employee)).history!.map((h) => `${h.from}→${h.to}`);
  const completedEvents = async (id: string) =>
    (await t().sql<{ n: number }>(`select count(*)::int as n from outbox_events where type = 'request.updated' and recipient like 'user:%' and payload->>'id' = ? and payload->>'status' = 'completed'`, [id]))[0].n;

  /**
   * Approves `requestId` while a transaction holds its account's row lock, so the fulfilment job
   * blocks inside its own transaction; runs `whileBlocked`, then lets go of the lock.
   */
  const approveWithFulfilmentBlocked = async (accountId: string, requestId: string, whileBlocked: () => Promise<void>, blockedStatement = 'update accounts set daily_limit%') => {
    const lock = new Client({ connectionString: stack.databaseUrl });
    await lock.connect();
    try {
      await lock.query('begin');
      await lock.query('select 1 from accounts where id = $1 for update', [accountId]);
      await flow.approve(requestId);
      // Asked on another connection: inside the lock's transaction pg_stat_activity is a frozen snapshot.
      await eventually(async () => {
        const [{ n }] = await t().sql<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like ?`,
          [blockedStatement],
        );
        return n === 1;
      }, 'the fulfilment to wait for the account row inside its transaction');
      await whileBlocked();
      await lock.query('rollback');
    } finally {
      await lock.end();
    }
  };

  it('FLUSHALL with requests in flight: the sweep re-enqueues every submitted and approved request, and each finishes', async () => {
    const c = await t().newFundedCustomer(1_000);
    const toApprove: RequestView[] = [];
    for (let i = 0; i < 3; i++) {
      const request = await flow.submit(c, { type: 'limit_increase', accountId: c.accountId, details: { dailyLimit: 2_000_000 + i } });
      await flow.decide(request.id, c, false);
      toApprove.push(request);
    }
    await currentWorker().stop(); // no worker: the jobs below wait in Redis
    for (const request of toApprove) expect((await flow.approve(request.id)).status).toBe('approved');
    const toTriage = await Promise.all(Array.from({ length: 3 }, (_, i) => flow.submit(c, { type: 'kyc_update', details: { address: `${i + 1} Flush Lane, Hull`, phone: `01482 00000${i}` } })));
    const probe = redis.client();
    expect((await probe.keys('*request-fulfilment*')).length).toBeGreaterThan(0);
    probe.disconnect();

    await redis.flushAll();
    await stack.startRelay();

    for (const request of toApprove) await flow.reach(request.id, 'completed', c, 30_000);
    for (const request of toTriage) await flow.reach(request.id, 'pending_review', c, 30_000);
    // Log lines are written in batches (at most half a second late).
    await currentWorker().waitFor(/request sweep re-enqueued/, 5_000);
    const [{ daily_limit: limit }] = await t().sql<{ daily_limit: string }>('select daily_limit from accounts where id = ?', [c.accountId]);
    expect(Number(limit)).toBeGreaterThanOrEqual(2_000_000);
    for (const request of toApprove) expect(await historyOf(request.id)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);
  });

  it('a worker stopped with SIGTERM mid-fulfilment finishes that job before it exits', async () => {
    const c = await t().newFundedCustomer(1_000);
    const request = await flow.submit(c, { type: 'limit_increase', accountId: c.accountId, details: { dailyLimit: 2_222_222 } });
    await flow.decide(request.id, c, false);
    const stopping = currentWorker();
    await approveWithFulfilmentBlocked(c.accountId, request.id, async () => {
      stopping.kill('SIGTERM');
      await stopping.waitFor(/worker received SIGTERM; shutting down/);
      expect(await Promise.race([stopping.exited.then(() => 'exited'), new Promise((done) => setTimeout(() => done('still draining'), 500))])).toBe('still draining');
    });
    // The job ran to its end in the stopping worker: no other worker exists to have done it.
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    expect((await flow.get(request.id, c)).status).toBe('completed');
    const [{ daily_limit: limit }] = await t().sql<{ daily_limit: string }>('select daily_limit from accounts where id = ?', [c.accountId]);
    expect(Number(limit)).toBe(2_222_222);
    expect(await completedEvents(request.id)).toBe(1);
    await stack.startRelay();
  });

  it('a worker killed (SIGKILL) mid-fulfilment: another worker completes the request, its effect applied once', async () => {
    const c = await t().newFundedCustomer(1_000);
    const request = await flow.submit(c, { type: 'limit_increase', accountId: c.accountId, details: { dailyLimit: 3_333_333 } });
    await flow.decide(request.id, c, false);
    await approveWithFulfilmentBlocked(c.accountId, request.id, async () => {
      const doomed = currentWorker();
      doomed.kill('SIGKILL');
      expect((await doomed.exited).signal).toBe('SIGKILL');
    });
    expect((await flow.get(request.id, c)).status).toBe('approved');

    await stack.startRelay();
    await flow.reach(request.id, 'completed', c, 45_000);
    const [{ daily_limit: limit }] = await t().sql<{ daily_limit: string }>('select daily_limit from accounts where id = ?', [c.accountId]);
    expect(Number(limit)).toBe(3_333_333);
    expect(await historyOf(request.id)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);
    expect(await completedEvents(request.id)).toBe(1);
  });

  it('a worker killed (SIGKILL) while posting an approved hold: after the restart the transfer posts exactly once', async () => {
    const sender = await t().newFundedCustomer(600_000);
    const payee = await t().newFundedCustomer(1);
    const held = await t()
      .http()
      .post('/api/v1/transfers')
      .set(bearer(sender.accessToken))
      .send({ fromAccountId: sender.accountId, toAccountNumber: payee.accountNumber, amount: 500_000, description: 'held, then killed' })
      .expect(202);
    const { id: holdId, requestId } = held.body.hold as { id: string; requestId: string };
    await flow.decide(requestId, sender, false);
    await approveWithFulfilmentBlocked(
      sender.accountId,
      requestId,
      async () => {
        const doomed = currentWorker();
        doomed.kill('SIGKILL');
        expect((await doomed.exited).signal).toBe('SIGKILL');
      },
      'select hold_post%',
    );
    expect((await flow.get(requestId, sender)).status).toBe('approved');

    await stack.startRelay();
    await flow.reach(requestId, 'completed', sender, 45_000);
    const [hold] = await t().sql<{ status: string; transaction_id: string }>('select status, transaction_id from holds where id = ?', [holdId]);
    expect(hold.status).toBe('posted');
    const postings = await t().sql<{ id: string }>(`select id from ledger_transactions where kind = 'transfer' and description = 'held, then killed'`);
    expect(postings.map((p) => p.id)).toEqual([hold.transaction_id]);
    const balances = await t().sql<{ id: string; balance: string; held: string }>('select id, balance, held from accounts where id in (?, ?)', [sender.accountId, payee.accountId]);
    expect(Object.fromEntries(balances.map((b) => [b.id, [Number(b.balance), Number(b.held)]]))).toEqual({ [sender.accountId]: [100_000, 0], [payee.accountId]: [500_001, 0] });
  });

  it('a fulfilment that throws on every attempt ends failed with the reason after the retries, visible to admins', async () => {
    const c = await t().newFundedCustomer(1_000);
    const admin = await t().newStaff('admin');
    // A real failure from PostgreSQL, for this one account only.
    await t().sql(`create or replace function refuse_limit_change() returns trigger language plpgsql as $$ begin raise exception 'daily limit changes are switched off for this account'; end $$`);
    await t().sql(`create trigger refuse_limit_change before update of daily_limit on accounts for each row when (old.id = '${c.accountId}'::uuid) execute function refuse_limit_change()`);
    const request = await flow.submit(c, { type: 'limit_increase', accountId: c.accountId, details: { dailyLimit: 4_000_000 } });
    await flow.decide(request.id, c);
    await flow.reach(request.id, 'failed', c, 30_000);

    const failed = await flow.get(request.id, admin);
    expect(failed.resolution).toMatch(/failed after 5 attempts: .*daily limit changes are switched off/);
    expect(failed.history!.filter((h) => h.to === 'failed')).toHaveLength(1);
    const adminView = (await t().http().get('/api/v1/service-requests?status=failed&limit=100').set(bearer(admin.accessToken)).expect(200)).body as { items: RequestView[] };
    expect(adminView.items.map((r) => r.id)).toContain(request.id);
    const [{ daily_limit: limit }] = await t().sql<{ daily_limit: string }>('select daily_limit from accounts where id = ?', [c.accountId]);
    expect(Number(limit)).toBe(1_000_000);
    expect(await completedEvents(request.id)).toBe(0);
  });
});
