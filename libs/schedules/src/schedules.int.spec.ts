import type { EventEnvelope } from '@bank/contracts/events';
import type { NotificationPage } from '@bank/contracts/notifications';
import type { Page } from '@bank/contracts/pagination';
import { utcToday, type ScheduleView } from '@bank/contracts/schedules';
import type { HoldView } from '@bank/contracts/holds';
import { LedgerService } from '@bank/ledger/ledger.service';
import { RequestJobsProducer } from '@bank/requests/request-jobs.producer';
import { requestJobId } from '@bank/requests/request-jobs';
import { bearer, type TestApp, type TestCustomer } from '../../../test/support/test-app';
import { OwnPlatform } from '../../../test/support/own-platform';
import { runIdempotencyKey, ScheduleRunner } from './schedule-runner';
import { ScheduleSweep } from './schedule-sweep';

/**
 * Scheduled transfers (issue 20, item 2) over HTTP on a database of this file's own, with the
 * runner driven directly at chosen dates ("today" for the runs is the argument; the worker's own
 * sweep waits an hour, so it never runs in between).
 */
describe('scheduled transfers (HTTP, real PostgreSQL and Redis, runner driven at chosen dates)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  let runner: ScheduleRunner;

  beforeAll(async () => {
    platform = await OwnPlatform.start('schedules', {}, { SCHEDULE_SWEEP_INTERVAL_S: '3600' });
    t = platform.app;
    runner = t.app.get(ScheduleRunner);
  });

  afterAll(() => platform?.close());

  const today = utcToday(Date.now());
  const create = (c: TestCustomer, body: Record<string, unknown>) => t.http().post('/api/v1/scheduled-transfers').set(bearer(c.accessToken)).send(body);
  const schedule = async (c: TestCustomer, to: TestCustomer, body: Record<string, unknown>): Promise<ScheduleView> =>
    (await create(c, { fromAccountId: c.accountId, toAccountNumber: to.accountNumber, amount: 1_000, ...body }).expect(201)).body as ScheduleView;
  const listOf = async (c: TestCustomer): Promise<ScheduleView[]> =>
    ((await t.http().get('/api/v1/scheduled-transfers').set(bearer(c.accessToken)).expect(200)).body as Page<ScheduleView>).items;
  const current = async (c: TestCustomer, id: string): Promise<ScheduleView> => (await listOf(c)).find((s) => s.id === id)!;
  const storedSchedules = async (c: TestCustomer) => Number((await t.sql<{ n: string }>('select count(*) as n from scheduled_transfers where owner_id = ?', [c.user.id]))[0].n);
  const transfersBetween = (from: TestCustomer, to: TestCustomer) =>
    t.sql<{ id: string; amount: string }>(
      `select t.id, t.amount from ledger_transactions t join ledger_entries e on e.transaction_id = t.id and e.account_id = ? and e.amount < 0
       where e.counterparty_account_id = ?`,
      [from.accountId, to.accountId],
    );
  const notificationsOf = async (c: TestCustomer) => ((await t.http().get('/api/v1/notifications').set(bearer(c.accessToken)).expect(200)).body as NotificationPage).items;

  describe('creating', () => {
    it('answers the schedule, active from its first date, and lists it newest first', async () => {
      const [alice, bob] = [await t.newFundedCustomer(10_000), await t.newCustomer()];
      const first = await schedule(alice, bob, { startOn: today, frequency: 'monthly', count: 12, description: 'rent' });
      expect(first).toMatchObject({ status: 'active', nextRunOn: today, startOn: today, frequency: 'monthly', count: 12, amount: 1_000, description: 'rent', runs: [], runsMade: 0 });
      const second = await schedule(alice, bob, { startOn: '2027-06-01', frequency: 'weekly' });
      expect(second).not.toHaveProperty('count');
      expect(second).not.toHaveProperty('description');
      expect((await listOf(alice)).map((s) => s.id)).toEqual([second.id, first.id]);
      const page = await t.http().get('/api/v1/scheduled-transfers?limit=1').set(bearer(alice.accessToken)).expect(200);
      expect(page.body.items).toHaveLength(1);
      const next = await t.http().get(`/api/v1/scheduled-transfers?limit=1&cursor=${page.body.nextCursor}`).set(bearer(alice.accessToken)).expect(200);
      expect(next.body).toEqual({ items: [expect.objectContaining({ id: first.id })], nextCursor: null });
      await t.http().post(`/api/v1/scheduled-transfers/${first.id}/cancel`).set(bearer(alice.accessToken)).expect(200);
      await t.http().post(`/api/v1/scheduled-transfers/${second.id}/cancel`).set(bearer(alice.accessToken)).expect(200);
    });

    it.each([
      ['a start in the past', { startOn: '2020-01-01', frequency: 'once' }, 'startOn'],
      ['a date that does not exist', { startOn: '2027-02-30', frequency: 'monthly' }, 'startOn'],
      ['a date in another format', { startOn: '01/02/2027', frequency: 'monthly' }, 'startOn'],
      ['no runs', { startOn: '2027-03-01', frequency: 'weekly', count: 0 }, 'count'],
      ['too many runs', { startOn: '2027-03-01', frequency: 'weekly', count: 601 }, 'count'],
      ['a one-off with a count of 2', { startOn: '2027-03-01', frequency: 'once', count: 2 }, 'count'],
    ])('refuses %s with 400 SCHEDULE_INVALID and stores nothing', async (_label, body, path) => {
      const [alice, bob] = [await t.newCustomer(), await t.newCustomer()];
      const response = await create(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 500, ...body }).expect(400);
      expect(response.body).toMatchObject({ code: 'SCHEDULE_INVALID', errors: [expect.objectContaining({ path })] });
      expect(await storedSchedules(alice)).toBe(0);
    });

    it('refuses a schedule to the account it sends from (SCHEDULE_INVALID), a malformed body (VALIDATION_FAILED), another’s account or an unknown number (404)', async () => {
      const [alice, bob] = [await t.newCustomer(), await t.newCustomer()];
      const valid = { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 500, startOn: '2027-03-01', frequency: 'weekly' };
      expect((await create(alice, { ...valid, toAccountNumber: alice.accountNumber }).expect(400)).body.code).toBe('SCHEDULE_INVALID');
      for (const body of [{ ...valid, frequency: 'daily' }, { ...valid, amount: '5.00' }, { ...valid, count: 2.5 }, { ...valid, extra: 1 }, { ...valid, startOn: 20270301 }]) {
        expect((await create(alice, body).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      expect((await create(alice, { ...valid, fromAccountId: bob.accountId }).expect(404)).body.code).toBe('NOT_FOUND');
      expect((await create(alice, { ...valid, toAccountNumber: '0'.repeat(bob.accountNumber.length) }).expect(404)).body.code).toBe('NOT_FOUND');
      expect(await storedSchedules(alice)).toBe(0);
    });
  });

  describe('cancelling', () => {
    it('cancels an active schedule once (then 409), never runs it, and hides it from other customers (404)', async () => {
      const [alice, bob, mallory] = [await t.newFundedCustomer(10_000), await t.newCustomer(), await t.newCustomer()];
      const created = await schedule(alice, bob, { startOn: '2027-04-10', frequency: 'weekly', count: 3 });
      await t.http().post(`/api/v1/scheduled-transfers/${created.id}/cancel`).set(bearer(mallory.accessToken)).expect(404);
      expect(await listOf(mallory)).toEqual([]);
      const cancelled = await t.http().post(`/api/v1/scheduled-transfers/${created.id}/cancel`).set(bearer(alice.accessToken)).expect(200);
      expect(cancelled.body).toMatchObject({ id: created.id, status: 'cancelled', nextRunOn: null, runs: [] });
      const again = await t.http().post(`/api/v1/scheduled-transfers/${created.id}/cancel`).set(bearer(alice.accessToken)).expect(409);
      expect(again.body.code).toBe('INVALID_STATE_TRANSITION');
      await t.http().post('/api/v1/scheduled-transfers/not-a-uuid/cancel').set(bearer(alice.accessToken)).expect(404);
      await runner.runDue('2027-05-01');
      expect(await transfersBetween(alice, bob)).toEqual([]);
      expect((await current(alice, created.id)).runs).toEqual([]);
    });
  });

  describe('running', () => {
    it('runs monthly on the 31st → Feb 28 → Mar 31 (and Feb 29 in a leap year), catching up missed dates oldest first, once each', async () => {
      const [alice, bob] = [await t.newFundedCustomer(100_000), await t.newCustomer()];
      const plain = await schedule(alice, bob, { startOn: '2027-01-31', frequency: 'monthly', count: 3, amount: 1_100 });
      const leap = await schedule(alice, bob, { startOn: '2028-01-31', frequency: 'monthly', count: 3, amount: 1_200 });

      await runner.runDue('2027-01-30');
      expect((await current(alice, plain.id)).runs).toEqual([]);
      await runner.runDue('2027-02-27');
      expect(await current(alice, plain.id)).toMatchObject({ status: 'active', nextRunOn: '2027-02-28', runsMade: 1 });
      // Down from Feb 27 to Apr 2: both missed dates are made at once, oldest first.
      await runner.runDue('2027-04-02');
      const done = await current(alice, plain.id);
      expect(done).toMatchObject({ status: 'finished', nextRunOn: null, runsMade: 3 });
      expect(done.runs.map((run) => [run.on, run.outcome, run.code, run.holdId])).toEqual([
        ['2027-01-31', 'posted', null, null],
        ['2027-02-28', 'posted', null, null],
        ['2027-03-31', 'posted', null, null],
      ]);
      const paid = await transfersBetween(alice, bob);
      expect(paid.map((tx) => tx.id).sort()).toEqual(done.runs.map((run) => run.transactionId).sort());

      await runner.runDue('2028-03-31');
      expect((await current(alice, leap.id)).runs.map((run) => [run.on, run.outcome])).toEqual([
        ['2028-01-31', 'posted'],
        ['2028-02-29', 'posted'],
        ['2028-03-31', 'posted'],
      ]);
      expect(await runner.runDue('2028-12-31')).toEqual({ recorded: 0 });
      expect(await t.balanceOf(bob.accountId)).toBe(3 * 1_100 + 3 * 1_200);
      expect((await notificationsOf(alice)).filter((n) => n.kind === 'money.sent')).toHaveLength(6);

      // Each change went to the owner's stream as schedule.updated (created, three runs).
      const events = (await t.http().get('/api/v1/events?after=0&limit=100').set(bearer(alice.accessToken)).expect(200)).body.items as EventEnvelope[];
      const updates = events.filter((event): event is EventEnvelope<'schedule.updated'> => event.type === 'schedule.updated' && event.data.id === plain.id);
      expect(updates.map((event) => event.data.runsMade)).toEqual([0, 1, 2, 3]);
    });

    it('the worker’s sweep (its repeatable job’s step) makes today’s run with the real clock', async () => {
      const [alice, bob] = [await t.newFundedCustomer(10_000), await t.newCustomer()];
      const created = await schedule(alice, bob, { startOn: today, frequency: 'weekly', count: 2, amount: 300 });
      const sweep = platform.worker.get(ScheduleSweep);
      expect((await sweep.process()).recorded).toBeGreaterThanOrEqual(1);
      expect(await current(alice, created.id)).toMatchObject({ status: 'active', runsMade: 1, runs: [{ on: today, outcome: 'posted' }] });
      expect(await sweep.process()).toEqual({ recorded: 0 });
      await t.http().post(`/api/v1/scheduled-transfers/${created.id}/cancel`).set(bearer(alice.accessToken)).expect(200);
    });

    it('a crash between paying and recording: the next attempt replays the payment under the same key and records it, paying once', async () => {
      const [alice, bob] = [await t.newFundedCustomer(10_000), await t.newCustomer()];
      const created = await schedule(alice, bob, { startOn: '2027-07-01', frequency: 'once', amount: 2_500 });
      // The worker paid 2027-07-01 and died before it recorded the run.
      const paidBeforeCrash = await t.app.get(LedgerService).transfer(alice.user.id, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 2_500 }, runIdempotencyKey(created.id, '2027-07-01'));
      expect(paidBeforeCrash.status).toBe(201);
      await runner.runDue('2027-07-01');
      const after = await current(alice, created.id);
      expect(after).toMatchObject({ status: 'finished', runs: [{ on: '2027-07-01', outcome: 'posted', transactionId: paidBeforeCrash.status === 201 ? paidBeforeCrash.body.transaction.id : null }] });
      expect(await transfersBetween(alice, bob)).toHaveLength(1);
      expect(await t.balanceOf(alice.accountId)).toBe(10_000 - 2_500);
      // Recording the same date again changes nothing.
      expect(await runner.runOnce(created.id, '2027-07-01')).toBeNull();
    });

    it('records a refused run with its code and notifies the owner: no funds, over the daily limit, a frozen account', async () => {
      const [poor, capped, frozen, bob] = [await t.newFundedCustomer(500), await t.newFundedCustomer(50_000), await t.newFundedCustomer(50_000), await t.newCustomer()];
      const noFunds = await schedule(poor, bob, { startOn: '2027-08-02', frequency: 'once', amount: 1_000 });
      await t.sql('update accounts set daily_limit = 1500 where id = ?', [capped.accountId]);
      const overLimit = await schedule(capped, bob, { startOn: '2027-08-02', frequency: 'weekly', count: 2, amount: 1_000 });
      const fromFrozen = await schedule(frozen, bob, { startOn: '2027-08-02', frequency: 'once', amount: 1_000 });
      await t.sql(`update accounts set status = 'frozen' where id = ?`, [frozen.accountId]);

      await runner.runDue('2027-08-09');

      expect(await current(poor, noFunds.id)).toMatchObject({ status: 'finished', runs: [{ on: '2027-08-02', outcome: 'refused', code: 'INSUFFICIENT_FUNDS', transactionId: null, holdId: null }] });
      // The first run fits the limit (1,000 of 1,500 today); the second, made the same day, does not.
      expect((await current(capped, overLimit.id)).runs.map((run) => [run.on, run.outcome, run.code])).toEqual([
        ['2027-08-02', 'posted', null],
        ['2027-08-09', 'refused', 'DAILY_LIMIT_EXCEEDED'],
      ]);
      expect((await current(frozen, fromFrozen.id)).runs).toEqual([expect.objectContaining({ outcome: 'refused', code: 'ACCOUNT_FROZEN' })]);
      expect(await t.balanceOf(poor.accountId)).toBe(500);

      const [refusedNote] = (await notificationsOf(poor)).filter((n) => n.kind === 'schedule.refused');
      expect(refusedNote).toMatchObject({ title: 'Scheduled transfer not sent', readAt: null });
      expect(refusedNote.body).toContain('2027-08-02');
      expect(refusedNote.body).toContain('not enough money');
      expect((await notificationsOf(capped)).filter((n) => n.kind === 'schedule.refused')).toHaveLength(1);
      expect((await notificationsOf(frozen)).filter((n) => n.kind === 'schedule.refused')).toHaveLength(1);
    });

    it('a run at or above REVIEW_AMOUNT becomes a hold, with its expiry job queued like any held transfer', async () => {
      const [alice, bob] = [await t.newFundedCustomer(1_000_000), await t.newCustomer()];
      const created = await schedule(alice, bob, { startOn: '2027-09-15', frequency: 'once', amount: t.config.review.amount! });
      await runner.runDue('2027-09-15');
      const [run] = (await current(alice, created.id)).runs;
      expect(run).toMatchObject({ on: '2027-09-15', outcome: 'held', transactionId: null, code: null });
      const hold = (await t.http().get(`/api/v1/holds/${run.holdId}`).set(bearer(alice.accessToken)).expect(200)).body as HoldView;
      expect(hold).toMatchObject({ status: 'pending', reason: 'amount', amount: t.config.review.amount! });
      const expiryJob = await t.app.get(RequestJobsProducer).queue('expiry').getJob(requestJobId('expiry', hold.requestId));
      expect(expiryJob?.delay).toBeGreaterThan(0);
      expect(await t.balanceOf(bob.accountId)).toBe(0);
    });
  });
});
