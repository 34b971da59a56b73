import { hostname } from 'node:os';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import type { BalanceUpdatedData } from '@bank/contracts/events';
import type { RequestView } from '@bank/contracts/requests';
import { dropDatabase, prepareDatabase } from '@bank/db/prepare-database';
import { OutboxRelayService } from '@bank/outbox/outbox-relay.service';
import { requestJobId, type RequestQueue } from '@bank/requests/request-jobs';
import { RequestJobsProducer } from '@bank/requests/request-jobs.producer';
import { FulfilmentProcessor } from '@bank/requests/request.processors';
import { bearer, testConfig, TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { eventually, LiveClient } from '../../../test/support/live-client';
import { RequestFlow } from '../../../test/support/request-flow';
import { REDIS_URL, uniqueDatabaseUrl } from '../../../test/support/test-env';
import { startWorkerContext } from '../../../test/support/worker-context';
import { deleteKeys } from '../../../test/support/own-platform';

/**
 * The worker in this process (so its code counts for coverage) next to an in-process api: the
 * outbox relay, the request processors, the sweep, the heartbeat and a graceful stop. A database
 * and a Redis prefix of its own, so its relay leadership, sweeps and queues meet no other suite.
 */
describe('worker (in-process): outbox relay, request processors, sweep, heartbeat, graceful close', () => {
  const prefix = `bankingcore-test:worker-int-${Date.now()}-${process.pid}:`;
  const databaseUrl = uniqueDatabaseUrl('worker');
  // A sweep that looks every second for requests stuck longer than one; a one-second input window.
  const env = { DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: prefix, REQUEST_SWEEP_AFTER_S: '1', REQUEST_SWEEP_INTERVAL_S: '1', REQUEST_INPUT_WINDOW_S: '1' };
  const clients: LiveClient[] = [];
  let api: TestApp;
  let worker: INestApplicationContext;
  let workerClosed = false;
  let employee: TestStaff;
  let redis: Redis;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    // Every Nest Logger call of the process, whatever the log level (the logs themselves are silent).
    logged = jest.spyOn(Logger.prototype, 'log');
    await prepareDatabase(databaseUrl, { info: () => undefined });
    api = await TestApp.start({ ...env, READY_REQUIRES_WORKER: 'true' });
    worker = await startWorkerContext(testConfig(env));
    redis = new Redis(REDIS_URL, { keyPrefix: prefix });
    employee = await api.newStaff('employee');
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    if (!workerClosed) await worker?.close();
    await api?.close();
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
    await dropDatabase(databaseUrl);
    logged?.mockRestore();
  });

  const flow = new RequestFlow(
    () => api,
    () => employee,
  );
  const connect = async (token: string) => {
    const client = await LiveClient.connect(api.url, { token });
    clients.push(client);
    return client;
  };
  const historyOf = async (id: string) => (await flow.get(id, employee)).history!.map((h) => `${h.from}→${h.to}`);
  const dailyLimitOf = async (accountId: string) => Number((await api.sql<{ daily_limit: string }>('select daily_limit from accounts where id = ?', [accountId]))[0].daily_limit);
  const eventsWithStatus = async (id: string, status: string) =>
    (
      await api.sql<{ n: number }>(
        `select count(*)::int as n from outbox_events where type = 'request.updated' and recipient like 'user:%' and payload->>'id' = ? and payload->>'status' = ?`,
        [id, status],
      )
    )[0].n;
  const apiQueue = (queue: RequestQueue) => api.app.get(RequestJobsProducer).queue(queue);
  const jobState = async (queue: RequestQueue, requestId: string) => (await (await apiQueue(queue).getJob(requestJobId(queue, requestId)))?.getState()) ?? 'missing';
  const readiness = () => api.http().get('/health/ready');
  const submitLimitIncrease = (c: TestCustomer, dailyLimit: number) => flow.submit(c, { type: 'limit_increase', accountId: c.accountId, details: { dailyLimit } });
  const FULL_HISTORY = ['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed'];

  describe('the outbox relay', () => {
    it('leads on its own database and publishes a deposit: rows numbered and marked published, balance.updated pushed to the owner', async () => {
      const relay = worker.get(OutboxRelayService);
      await eventually(() => relay.isLeader, 'the in-process relay to lead');
      expect(logged.mock.calls).toContainEqual(['outbox relay is the leader']);
      // The leader holds its advisory lock on its own session of this database.
      const holders = await api.sql<{ application_name: string }>(
        `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())`,
      );
      expect(holders).toEqual([{ application_name: 'bankingcore-outbox-relay' }]);

      const c = await api.newCustomer();
      const live = await connect(c.accessToken);
      const deposited = await api.http().post(`/api/v1/accounts/${c.accountId}/deposits`).set(bearer(c.accessToken)).send({ amount: 12_345 }).expect(201);
      const transactionId = deposited.body.transaction.id as string;

      await eventually(() => live.ofType('transaction.posted').length === 1, 'the owner to get the deposit live');
      expect(live.ofType('balance.updated').map((e) => e.data as BalanceUpdatedData)).toEqual([{ accountId: c.accountId, balance: 12_345, availableBalance: 12_345, currency: 'USD', transactionId }]);

      const rowsOfDeposit = () =>
        api.sql<{ type: string; event_seq: string | null; published: boolean }>(
          `select type, event_seq, event_seq <= (select published_seq from outbox_relay_progress) as published
           from outbox_events where recipient = ? and payload->>'transactionId' = ? order by id`,
          [`user:${c.user.id}`, transactionId],
        );
      // The progress is stored by the relay's next drain (at the latest its 500 ms backstop poll): poll for it.
      await eventually(async () => (await rowsOfDeposit()).every((row) => row.published), 'the relay to store its progress past the rows');
      const rows = await rowsOfDeposit();
      expect(rows).toEqual([
        { type: 'balance.updated', event_seq: expect.stringMatching(/^\d+$/), published: true },
        { type: 'transaction.posted', event_seq: expect.stringMatching(/^\d+$/), published: true },
      ]);
      // The public event ids are the numbers the relay gave the rows, in order.
      expect(live.events.filter((e) => e.type === 'balance.updated' || e.type === 'transaction.posted').map((e) => e.id)).toEqual(rows.map((row) => String(row.event_seq)));
      expect(BigInt(rows[1].event_seq!)).toBeGreaterThan(BigInt(rows[0].event_seq!));
      // Nothing committed is left unnumbered or unpublished.
      await eventually(
        async () =>
          (await api.sql<{ n: number }>('select count(*)::int as n from outbox_events where event_seq is null or event_seq > (select published_seq from outbox_relay_progress)'))[0].n === 0,
        'the whole outbox to be published',
      );
    });
  });

  describe('the request processors', () => {
    it('triage and fulfilment: a limit_increase goes submitted → pending_review → (claim, approve) → completed, its effect applied once', async () => {
      const c = await api.newFundedCustomer(1_000);
      const live = await connect(c.accessToken);
      const before = await dailyLimitOf(c.accountId);
      const submitted = await submitLimitIncrease(c, 2_500_000);
      expect(submitted.status).toBe('submitted');

      await flow.reach(submitted.id, 'pending_review', c);
      expect(await jobState('triage', submitted.id)).toBe('completed');
      expect(await dailyLimitOf(c.accountId)).toBe(before);
      await flow.decide(submitted.id, c);
      await flow.reach(submitted.id, 'completed', c);

      expect(await dailyLimitOf(c.accountId)).toBe(2_500_000);
      expect(await jobState('fulfilment', submitted.id)).toBe('completed');
      const done = await flow.get(submitted.id, employee);
      expect(done.history!.map((h) => [`${h.from}→${h.to}`, h.actorId, h.note])).toEqual([
        ['null→submitted', c.user.id, null],
        ['submitted→pending_review', null, null],
        ['pending_review→in_review', employee.user.id, null],
        ['in_review→approved', employee.user.id, 'looks right'],
        ['approved→completed', null, null],
      ]);
      expect(await eventsWithStatus(submitted.id, 'completed')).toBe(1);
      // Every move reached the owner live, in order (the relay of the same worker).
      await eventually(() => live.ofType('request.updated').length === 5, 'the owner to get the 5 moves live');
      expect(live.ofType('request.updated').map((e) => (e.data as RequestView).status)).toEqual(['submitted', 'pending_review', 'in_review', 'approved', 'completed']);
    });

    it('triage flags a closure with money in the account, and its fulfilment fails with the reason, the account left open', async () => {
      const c = await api.newFundedCustomer(700);
      const request = await flow.submit(c, { type: 'account_closure', accountId: c.accountId });
      await flow.reach(request.id, 'pending_review', c);
      const triaged = await flow.get(request.id, employee);
      expect(triaged.resolution).toMatch(/^flagged: the account balance is not zero/);
      await flow.decide(request.id, c);
      await flow.reach(request.id, 'failed', c);

      const failed = await flow.get(request.id, employee);
      expect(failed.resolution).toBe('The account balance is not zero: empty it before closing.');
      expect(failed.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→failed']);
      const [{ status }] = await api.sql<{ status: string }>('select status from accounts where id = ?', [c.accountId]);
      expect(status).not.toBe('closed');
      expect(await api.balanceOf(c.accountId)).toBe(700);
    });

    it('expiry: an approved card_pin_reset nobody gives input to expires once its (1 s) window passes', async () => {
      const c = await api.newCustomer();
      const request = await flow.submit(c, { type: 'card_pin_reset', accountId: c.accountId });
      await flow.decide(request.id, c);
      expect((await flow.get(request.id, c)).status).toBe('awaiting_customer');
      await flow.reach(request.id, 'expired', c);

      const expired = await flow.get(request.id, employee);
      expect(expired.resolution).toBe('The input window passed without the customer’s input.');
      expect(expired.history!.map((h) => [`${h.from}→${h.to}`, h.actorId])).toEqual([
        ['null→submitted', c.user.id],
        ['submitted→pending_review', null],
        ['pending_review→in_review', employee.user.id],
        ['in_review→awaiting_customer', employee.user.id],
        ['awaiting_customer→expired', null],
      ]);
    });

    it('a fulfilment that throws on every attempt ends failed with the error after the 5 attempts, the effect not applied', async () => {
      const c = await api.newFundedCustomer(1_000);
      // A real failure from PostgreSQL, for this one account only (this suite's own database).
      await api.sql(`create or replace function refuse_limit_change() returns trigger language plpgsql as $$ begin raise exception 'daily limit changes are switched off for this account'; end $$`);
      await api.sql(`create trigger refuse_limit_change before update of daily_limit on accounts for each row when (old.id = '${c.accountId}'::uuid) execute function refuse_limit_change()`);
      try {
        const request = await submitLimitIncrease(c, 4_000_000);
        await flow.decide(request.id, c);
        await flow.reach(request.id, 'failed', c, 20_000);

        const failed = await flow.get(request.id, employee);
        expect(failed.resolution).toMatch(/^Fulfilment failed after 5 attempts: .*daily limit changes are switched off for this account/);
        expect(failed.history!.filter((h) => h.to === 'failed')).toHaveLength(1);
        expect(failed.history!.filter((h) => h.to === 'failed')[0].actorId).toBeNull();
        expect(await dailyLimitOf(c.accountId)).toBe(1_000_000);
        expect(await eventsWithStatus(request.id, 'completed')).toBe(0);
      } finally {
        await api.sql('drop trigger refuse_limit_change on accounts');
      }
    });
  });

  describe('the sweep', () => {
    it('re-enqueues a submitted request and an approved one whose jobs Redis lost, and both finish', async () => {
      const workerProducer = worker.get(RequestJobsProducer);
      const enqueued = jest.spyOn(workerProducer, 'enqueue');
      const c = await api.newFundedCustomer(1_000);
      const toApprove = await submitLimitIncrease(c, 3_000_000);
      await flow.decide(toApprove.id, c, false);
      const [triage, fulfilment] = [apiQueue('triage'), apiQueue('fulfilment')];
      await Promise.all([triage.pause(), fulfilment.pause()]);
      try {
        // The jobs wait in the paused queues; then Redis "loses" them.
        const toTriage = await flow.submit(c, { type: 'kyc_update', details: { address: '1 Sweep Street, Leeds', phone: '0113 000000' } });
        expect((await flow.approve(toApprove.id)).status).toBe('approved');
        for (const [queue, id] of [['triage', toTriage.id], ['fulfilment', toApprove.id]] as const) {
          const job = await apiQueue(queue).getJob(requestJobId(queue, id));
          expect(job).toBeDefined();
          await job!.remove();
          // Gone — unless the sweep already put it back (it does once the request is 1 s old).
          const state = await jobState(queue, id);
          if (!enqueued.mock.calls.some(([, requestId]) => requestId === id)) expect(state).toBe('missing');
        }
        // Nothing ran meanwhile: the queues are paused.
        expect((await flow.get(toTriage.id, c)).status).toBe('submitted');
        await Promise.all([triage.resume(), fulfilment.resume()]);

        await flow.reach(toTriage.id, 'pending_review', c);
        await flow.reach(toApprove.id, 'completed', c);
        // Only the sweep enqueues in the worker: it found both jobs missing.
        expect(enqueued).toHaveBeenCalledWith('triage', toTriage.id);
        expect(enqueued).toHaveBeenCalledWith('fulfilment', toApprove.id);
        expect(await historyOf(toTriage.id)).toEqual(['null→submitted', 'submitted→pending_review']);
        expect(await historyOf(toApprove.id)).toEqual(FULL_HISTORY);
        expect(await dailyLimitOf(c.accountId)).toBe(3_000_000);
        expect(await eventsWithStatus(toApprove.id, 'completed')).toBe(1);
      } finally {
        await Promise.all([triage.resume(), fulfilment.resume()]);
        enqueued.mockRestore();
      }
    });
  });

  describe('the heartbeat', () => {
    it('makes the api ready while the worker runs, refreshing its entry in Redis', async () => {
      const response = await readiness().expect(200);
      expect(response.body.details.worker).toEqual({ status: 'up', workers: 1 });
      const beats = async () => {
        const [member, score] = await redis.zrange('worker:heartbeats', 0, -1, 'WITHSCORES');
        return { member, score: Number(score) };
      };
      const first = await beats();
      expect(first.member).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[0-9a-f-]{36}$`));
      expect(Date.now() - first.score).toBeLessThan(10_000);
      await eventually(async () => (await beats()).score > first.score, 'the next heartbeat (every 2 s)', 6_000);
      expect((await beats()).member).toBe(first.member);
    });
  });

  describe('graceful close', () => {
    it('lets a fulfilment in progress finish before the worker stops; the request completes once', async () => {
      const c = await api.newFundedCustomer(1_000);
      const request = await submitLimitIncrease(c, 4_555_555);
      await flow.decide(request.id, c, false);
      const bullWorker = worker.get(FulfilmentProcessor).worker;
      let closingStarted = false;
      bullWorker.once('closing', () => (closingStarted = true));
      // The order the shutdown hooks stop things in: the job needs the ORM until it has finished.
      const stops: string[] = [];
      bullWorker.once('closed', () => stops.push('fulfilment worker closed'));
      const orm = worker.get(MikroORM);
      const ormClose = orm.close.bind(orm);
      jest.spyOn(orm, 'close').mockImplementation(async (force) => {
        stops.push('orm closing');
        await ormClose(force);
      });
      let closed = false;
      let closing: Promise<void> | undefined;
      // Hold the account's row lock so the fulfilment blocks inside its transaction.
      const lock = new Client({ connectionString: databaseUrl });
      await lock.connect();
      try {
        await lock.query('begin');
        await lock.query('select 1 from accounts where id = $1 for update', [c.accountId]);
        await flow.approve(request.id);
        const fulfilmentWaits = async () =>
          (
            await api.sql<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'update accounts set daily_limit%'`,
            )
          )[0].n === 1;
        await eventually(fulfilmentWaits, 'the fulfilment to wait for the account row inside its transaction');
        expect(await jobState('fulfilment', request.id)).toBe('active');

        closing = worker.close().then(() => {
          closed = true;
        });
        workerClosed = true;
        // The BullMQ worker is told to close, and waits for its job.
        await eventually(() => closingStarted, 'the fulfilment worker to start closing');
        expect(closed).toBe(false);
        expect(await fulfilmentWaits()).toBe(true);
        await lock.query('rollback');
      } finally {
        await lock.end();
      }
      await Promise.race([closing, new Promise((_, reject) => setTimeout(() => reject(new Error('the worker did not close within 15 s')), 15_000).unref())]);
      expect(closed).toBe(true);
      expect(stops).toEqual(['fulfilment worker closed', 'orm closing']);

      const done = await flow.get(request.id, c);
      expect(done.status).toBe('completed');
      expect(await historyOf(request.id)).toEqual(FULL_HISTORY);
      expect(await dailyLimitOf(c.accountId)).toBe(4_555_555);
      expect(await eventsWithStatus(request.id, 'completed')).toBe(1);
      expect(await jobState('fulfilment', request.id)).toBe('completed');
    });

    it('once the worker is closed: its heartbeat is gone and the api is no longer ready', async () => {
      expect(workerClosed).toBe(true);
      expect(await redis.zcard('worker:heartbeats')).toBe(0);
      await eventually(async () => (await readiness()).status === 503, 'the api to report not ready', 3_000);
      const response = await readiness().expect(503);
      expect(response.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', checks: { worker: { status: 'down' } } });
    });
  });
});
