import { Client } from 'pg';
import { RequestContext } from '@mikro-orm/postgresql';
import type { RequestView } from '@bank/contracts/requests';
import type { HoldView } from '@bank/contracts/holds';
import type { AccountView } from '@bank/contracts/accounts';
import { RequestsService } from '@bank/requests/requests.service';
import { bearer, type TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { eventually } from '../../../test/support/live-client';
import { RequestFlow } from '../../../test/support/request-flow';
import { OwnPlatform } from '../../../test/support/own-platform';
import { holdsProbe } from '../../../test/support/holds-probe';

const HOLD_KEYS = [
  'id',
  'status',
  'reason',
  'amount',
  'currency',
  'fromAccountId',
  'counterparty',
  'description',
  'requestId',
  'transactionId',
  'expiresAt',
  'createdAt',
  'decidedAt',
].sort();

/**
 * Holds (issue 17): transfers a review rule catches are reserved, not posted, and an employee
 * decides them through the service-request pipeline. A database and a Redis prefix of this file's
 * own, with the worker (triage, fulfilment, expiry, sweep, outbox relay) running in this process,
 * so the ledger check and the queue see nothing of other suites.
 */
describe('holds: transfers reviewed before they post (HTTP, real PostgreSQL, Redis, in-process worker)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  let employee: TestStaff;
  let databaseUrl: string;

  beforeAll(async () => {
    // The sweep (the backstop for lost jobs) runs once at start and then not for an hour: what
    // happens on time here is done by the jobs; the sweep itself is called directly where tested.
    platform = await OwnPlatform.start('holds', {}, { REQUEST_SWEEP_INTERVAL_S: '3600' });
    ({ app: t, employee, databaseUrl } = platform);
  });

  afterAll(() => platform?.close());

  /** Another api on this file's database and Redis, with other review settings (the worker is shared). */
  const startApp = (overrides: Record<string, string>) => platform.startApi(overrides);

  const flow = new RequestFlow(
    () => t,
    () => employee,
  );
  const { account, getHold, holdsOf, transferEntries, entriesSum, ledgerCheck, expectHeldToMatchPendingHolds } = holdsProbe(() => t);

  const send = (c: TestCustomer, to: TestCustomer, amount: number, options: { key?: string; app?: TestApp; description?: string } = {}) => {
    const request = (options.app ?? t).http().post('/api/v1/transfers').set(bearer(c.accessToken));
    if (options.key) request.set('Idempotency-Key', options.key);
    return request.send({ fromAccountId: c.accountId, toAccountNumber: to.accountNumber, amount, ...(options.description ? { description: options.description } : {}) });
  };
  /** A transfer the rules hold: 202 `{hold, account}`. */
  const hold = async (c: TestCustomer, to: TestCustomer, amount: number, options: { key?: string; app?: TestApp; description?: string } = {}) => {
    const response = await send(c, to, amount, options);
    if (response.status !== 202) throw new Error(`expected the transfer of ${amount} to be held (202), got ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { hold: HoldView; account: AccountView };
  };
  const cancelHold = (c: { accessToken: string }, id: string) => t.http().post(`/api/v1/holds/${id}/cancel`).set(bearer(c.accessToken));
  const claim = (requestId: string) => t.http().post(`/api/v1/service-requests/${requestId}/claim`).set(bearer(employee.accessToken));
  const reject = (requestId: string, reason: string) => t.http().post(`/api/v1/service-requests/${requestId}/reject`).set(bearer(employee.accessToken)).send({ reason });
  const reachHold = async (id: string, status: HoldView['status'], owner: TestCustomer, timeoutMs = 15_000) => {
    let last: string | undefined;
    try {
      await eventually(async () => (last = (await getHold(id, owner)).status) === status, `hold ${id} to become ${status}`, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message} (it is ${String(last)})`);
    }
  };
  const sweepNow = () => RequestContext.create(t.orm().em, () => t.app.get(RequestsService).sweep());
  const eventsOf = (userId: string, type: string) =>
    t.sql<{ payload: Record<string, unknown> }>('select payload from outbox_events where recipient = ? and type = ? order by id', [`user:${userId}`, type]);
  /** Makes `to` a payee `from` has already paid (a posted transfer below every review threshold). */
  const payOnce = async (from: TestCustomer, to: TestCustomer, amount = 1_000, app = t) => {
    await send(from, to, amount, { app }).expect(201);
  };
  const setDailyLimit = (c: TestCustomer, limit: number) => t.sql('update accounts set daily_limit = ? where id = ?', [limit, c.accountId]);
  /** The api's own answer to a probe over the limit: how much of today's limit is left (a refusal moves nothing). */
  const remainingLimit = async (c: TestCustomer, to: TestCustomer, probe: number) => {
    const refused = await send(c, to, probe).expect(422);
    expect(refused.body.code).toBe('DAILY_LIMIT_EXCEEDED');
    return refused.body.remaining as number;
  };

  /**
   * Runs one statement on a client of its own inside a transaction that is always rolled back, and
   * answers PostgreSQL's refusal (`<sqlstate> <message>`), or null if it accepted the statement —
   * so a missing constraint fails the test without corrupting the data the later tests use.
   */
  const databaseRefusal = async (statement: string, params: unknown[]): Promise<string | null> => {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('begin');
      const result = await db.query(statement, params).catch((error: { code?: string; message: string }) => `${error.code} ${error.message}`);
      if (typeof result === 'string') return result;
      if (result.rowCount === 0) throw new Error(`the statement touched no row: ${statement}`);
      return null;
    } finally {
      await db.query('rollback').catch(() => undefined);
      await db.end();
    }
  };
  /** A refusal by a constraint or a trigger (SQLSTATE class 23 or a raised exception), not a typo in the statement. */
  const INTEGRITY_REFUSAL = /^(23\d{3}|P0001) /;

  describe('the review rules, each exactly at its threshold', () => {
    it('amount: 500000 is held (reason amount, even to a new payee), 499999 to a known payee posts', async () => {
      const alice = await t.newFundedCustomer(3_000_000, { fullName: 'Alice Sender' });
      const bob = await t.newCustomer({ fullName: 'Bob Payee' });
      const carol = await t.newCustomer({ fullName: 'Carol Newpayee' });
      await setDailyLimit(alice, 10_000_000);
      await payOnce(alice, bob);

      const below = await send(alice, bob, 499_999).expect(201);
      expect(below.body.transaction).toMatchObject({ kind: 'transfer', amount: 499_999 });
      expect(await holdsOf(alice)).toEqual([]);

      const atThreshold = await hold(alice, bob, 500_000, { description: 'deposit on the house' });
      expect(Object.keys(atThreshold.hold).sort()).toEqual(HOLD_KEYS);
      expect(atThreshold.hold).toMatchObject({
        status: 'pending',
        reason: 'amount',
        amount: 500_000,
        currency: 'USD',
        fromAccountId: alice.accountId,
        counterparty: { accountNumber: bob.accountNumber, name: expect.stringMatching(/^Bob/) },
        description: 'deposit on the house',
        requestId: expect.any(String),
        transactionId: null,
        decidedAt: null,
      });
      // The 202's account is the source after the reservation: balance untouched, available down.
      const balanceBefore = 3_000_000 - 1_000 - 499_999;
      expect(atThreshold.account).toMatchObject({ id: alice.accountId, balance: balanceBefore, availableBalance: balanceBefore - 500_000 });
      expect(await account(alice)).toMatchObject({ balance: balanceBefore, availableBalance: balanceBefore - 500_000 });
      expect(await t.balanceOf(alice.accountId)).toBe(balanceBefore);
      expect(await t.balanceOf(bob.accountId)).toBe(1_000 + 499_999);

      // The amount rule is checked first: a new payee does not change the reason.
      const toNewPayee = await hold(alice, carol, 500_000);
      expect(toNewPayee.hold.reason).toBe('amount');
      expect(toNewPayee.account.availableBalance).toBe(balanceBefore - 1_000_000);
      expect(await transferEntries(carol.accountId)).toBe(0);
      expect((await holdsOf(alice)).map((h) => h.id)).toEqual([toNewPayee.hold.id, atThreshold.hold.id]);
    });

    it('new_payee: 100000 to someone never paid is held, 99999 posts; once a transfer to them posted, 100000 posts', async () => {
      const alice = await t.newFundedCustomer(2_000_000);
      const [bob, carol] = await Promise.all([t.newCustomer({ fullName: 'Bob Never Paid' }), t.newCustomer({ fullName: 'Carol Never Paid' })]);

      const held = await hold(alice, bob, 100_000);
      expect(held.hold).toMatchObject({ reason: 'new_payee', amount: 100_000, status: 'pending' });
      // A payee whose only transfer is still held (not posted) is still new.
      const heldAgain = await hold(alice, bob, 100_000);
      expect(heldAgain.hold.reason).toBe('new_payee');

      const below = await send(alice, carol, 99_999).expect(201);
      expect(below.body.account).toMatchObject({ balance: 2_000_000 - 99_999, availableBalance: 2_000_000 - 99_999 - 200_000 });
      // Carol has now been paid (posted): the same 100000 to her posts at once.
      await send(alice, carol, 100_000).expect(201);
      expect(await t.balanceOf(carol.accountId)).toBe(199_999);
      expect((await holdsOf(alice)).map((h) => h.reason)).toEqual(['new_payee', 'new_payee']);

      // Approving the held one makes Bob a known payee too.
      await flow.decide(held.hold.requestId, alice);
      await reachHold(held.hold.id, 'posted', alice);
      await send(alice, bob, 100_000).expect(201);
      expect(await t.balanceOf(bob.accountId)).toBe(200_000);
    });

    it('velocity (REVIEW_VELOCITY=10/600): the 10th transfer in the window posts, the 11th is held; held ones count', async () => {
      // Only velocity on here, so the amount and new-payee rules cannot be what holds.
      const tv = await startApp({ REVIEW_VELOCITY: '10/600', REVIEW_AMOUNT: 'off', REVIEW_NEW_PAYEE_AMOUNT: '0' });
      const alice = await tv.newFundedCustomer(5_000_000);
      const bob = await tv.newCustomer();
      await setDailyLimit(alice, 100_000_000);
      // Both other rules are off: a big transfer to a new payee posts.
      await send(alice, bob, 600_000, { app: tv }).expect(201);
      for (let i = 2; i <= 10; i++) await send(alice, bob, 1_000 + i, { app: tv }).expect(201);
      const eleventh = await hold(alice, bob, 1_011, { app: tv });
      expect(eleventh.hold).toMatchObject({ reason: 'velocity', amount: 1_011, status: 'pending' });
      // The held 11th counts too: the 12th is held as well.
      expect((await hold(alice, bob, 1_012, { app: tv })).hold.reason).toBe('velocity');

      // The window is per source account: Carol's first 10 post although Alice has made 12.
      const carol = await tv.newFundedCustomer(100_000);
      for (let i = 1; i <= 10; i++) await send(carol, bob, 100 + i, { app: tv }).expect(201);
      expect((await hold(carol, bob, 111, { app: tv })).hold.reason).toBe('velocity');
      expect(await t.balanceOf(bob.accountId)).toBe(600_000 + [...Array(9).keys()].reduce((s, i) => s + 1_002 + i, 0) + [...Array(10).keys()].reduce((s, i) => s + 101 + i, 0));
    });

    it('velocity counts held transfers: 9 posted and 1 held by the amount rule make the next one the 11th', async () => {
      const tv = await startApp({ REVIEW_VELOCITY: '10/600', REVIEW_NEW_PAYEE_AMOUNT: 'off' });
      const alice = await tv.newFundedCustomer(5_000_000);
      const bob = await tv.newCustomer();
      await setDailyLimit(alice, 100_000_000);
      for (let i = 1; i <= 9; i++) await send(alice, bob, 100 * i, { app: tv }).expect(201);
      expect((await hold(alice, bob, 500_000, { app: tv })).hold.reason).toBe('amount');
      expect((await hold(alice, bob, 100, { app: tv })).hold.reason).toBe('velocity');
    });

    it('a transfer that would be refused is refused, never held: over the daily limit, over the available funds, from a frozen account', async () => {
      const alice = await t.newFundedCustomer(2_000_000);
      const bob = await t.newCustomer();
      await payOnce(alice, bob);
      // Daily limit 1,000,000 (the default); 1,000 spent. 999,001 is over it and over REVIEW_AMOUNT.
      const overLimit = await send(alice, bob, 999_001).expect(422);
      expect(overLimit.body).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', remaining: 999_000 });
      await send(alice, bob, 999_000).expect(202); // exactly the rest of the limit: held, not refused

      const poor = await t.newFundedCustomer(600_000);
      const overFunds = await send(poor, bob, 600_001).expect(422);
      expect(overFunds.body.code).toBe('INSUFFICIENT_FUNDS');

      const frozen = await t.newFundedCustomer(900_000);
      await t.sql(`update accounts set status = 'frozen' where id = ?`, [frozen.accountId]);
      expect((await send(frozen, bob, 600_000).expect(422)).body.code).toBe('ACCOUNT_FROZEN');

      expect(await holdsOf(poor)).toEqual([]);
      expect(await holdsOf(frozen)).toEqual([]);
      expect(await holdsOf(alice)).toHaveLength(1);
      expect(await account(poor)).toMatchObject({ balance: 600_000, availableBalance: 600_000 });
      expect(await t.balanceOf(bob.accountId)).toBe(1_000);
    });

    it('funds and the daily limit count what is held: the rest is refused; withdrawals see the available balance too', async () => {
      const alice = await t.newFundedCustomer(700_000);
      const bob = await t.newCustomer();
      await payOnce(alice, bob, 100_000 - 1); // known payee; balance 600,001
      await setDailyLimit(alice, 800_000);
      const held = await hold(alice, bob, 500_000);
      expect(held.account).toMatchObject({ balance: 600_001, availableBalance: 100_001 });

      // Funds: 100,001 available.
      expect((await send(alice, bob, 100_002).expect(422)).body.code).toBe('INSUFFICIENT_FUNDS');
      const withdrawal = await t.http().post(`/api/v1/accounts/${alice.accountId}/withdrawals`).set(bearer(alice.accessToken)).send({ amount: 100_002, pin: '4321' }).expect(422);
      expect(withdrawal.body.code).toBe('INSUFFICIENT_FUNDS');
      // Limit: 800,000 − 99,999 − 500,000 held = 200,001 left; a probe with funds for it shows it.
      await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).send({ amount: 1_000_000 }).expect(201);
      expect(await remainingLimit(alice, bob, 200_002)).toBe(200_001);
      expect(await account(alice)).toMatchObject({ balance: 1_600_001, availableBalance: 1_100_001 });

      // The customer cancels: both come back.
      const cancelled = await cancelHold(alice, held.hold.id).expect(200);
      expect(cancelled.body).toMatchObject({ id: held.hold.id, status: 'cancelled', decidedAt: expect.any(String), transactionId: null });
      expect(await account(alice)).toMatchObject({ balance: 1_600_001, availableBalance: 1_600_001 });
      expect(await remainingLimit(alice, bob, 700_002)).toBe(700_001);
      expect(await transferEntries(bob.accountId)).toBe(1);
    });
  });

  describe('deciding a hold', () => {
    it('approve: the request goes through the pipeline, the fulfilment posts the transfer once, hold posted with its transaction', async () => {
      const alice = await t.newFundedCustomer(2_000_000, { fullName: 'Alice Approved' });
      const bob = await t.newFundedCustomer(5_000, { fullName: 'Bob Approved' });
      const held = await hold(alice, bob, 750_000, { description: 'car' });

      // The request: a transfer_review of Alice's, pointing at the hold.
      const request = await flow.get(held.hold.requestId, alice);
      expect(request).toMatchObject({ type: 'transfer_review', ownerId: alice.user.id, details: { holdId: held.hold.id } });
      expect(['submitted', 'pending_review']).toContain(request.status);
      expect(Date.parse(held.hold.expiresAt) - Date.parse(held.hold.createdAt)).toBeGreaterThanOrEqual(86_400_000 - 2_000);
      expect(Date.parse(held.hold.expiresAt) - Date.parse(held.hold.createdAt)).toBeLessThanOrEqual(86_400_000 + 2_000);

      await flow.decide(held.hold.requestId, alice);
      await flow.reach(held.hold.requestId, 'completed', alice);
      const posted = await getHold(held.hold.id, alice);
      expect(posted).toMatchObject({ status: 'posted', transactionId: expect.any(String), decidedAt: expect.any(String), amount: 750_000 });
      expect({ ...posted, status: 'pending', transactionId: null, decidedAt: null }).toEqual(held.hold);

      expect(await account(alice)).toMatchObject({ balance: 1_250_000, availableBalance: 1_250_000 });
      expect(await t.balanceOf(bob.accountId)).toBe(755_000);
      // An ordinary transfer: two entries, the running balance, both statements with the counterparty.
      const entries = await t.sql<{ account_id: string; amount: string; balance_after: string }>('select account_id, amount, balance_after from ledger_entries where transaction_id = ? order by amount', [
        posted.transactionId,
      ]);
      expect(entries).toEqual([
        { account_id: alice.accountId, amount: '-750000', balance_after: '1250000' },
        { account_id: bob.accountId, amount: '750000', balance_after: '755000' },
      ]);
      const history = await t.http().get(`/api/v1/accounts/${alice.accountId}/transactions`).set(bearer(alice.accessToken)).expect(200);
      expect(history.body.items[0]).toMatchObject({ transactionId: posted.transactionId, kind: 'transfer', amount: -750_000, balanceAfter: 1_250_000, description: 'car' });
      expect(history.body.items[0].counterparty).toMatchObject({ accountNumber: bob.accountNumber });

      const done = await flow.get(held.hold.requestId, employee);
      expect(done.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);

      // Events: hold.updated pending then posted to the owner; the posting's balance.updated carries availableBalance.
      const holdEvents = (await eventsOf(alice.user.id, 'hold.updated')).map((e) => e.payload as unknown as HoldView).filter((h) => h.id === held.hold.id);
      expect(holdEvents.map((h) => h.status)).toEqual(['pending', 'posted']);
      expect(holdEvents[1]).toEqual(posted);
      const balanceEvents = (await eventsOf(alice.user.id, 'balance.updated')).map((e) => e.payload).filter((p) => p.transactionId === posted.transactionId);
      expect(balanceEvents).toEqual([{ accountId: alice.accountId, balance: 1_250_000, availableBalance: 1_250_000, currency: 'USD', transactionId: posted.transactionId }]);
      const bobPosted = (await eventsOf(bob.user.id, 'transaction.posted')).filter((e) => e.payload.transactionId === posted.transactionId);
      expect(bobPosted).toHaveLength(1);
      // Bob sees nothing of the hold.
      expect((await eventsOf(bob.user.id, 'hold.updated')).length).toBe(0);

      // Decided: no cancel any more, no second posting.
      expect((await cancelHold(alice, held.hold.id).expect(409)).body.code).toBe('HOLD_NOT_PENDING');
      expect(await transferEntries(bob.accountId)).toBe(1);
      expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [] });
      await expectHeldToMatchPendingHolds();
    });

    it('reject: hold voided with the reason on the request, funds and limit released, nothing posted', async () => {
      const alice = await t.newFundedCustomer(1_500_000);
      const bob = await t.newCustomer();
      await payOnce(alice, bob);
      const held = await hold(alice, bob, 900_000);
      expect(await remainingLimit(alice, bob, 100_000)).toBe(99_000);
      await flow.decide(held.hold.requestId, alice, false);
      const rejected = (await reject(held.hold.requestId, 'looks like a scam').expect(200)).body as RequestView;
      expect(rejected).toMatchObject({ status: 'rejected', resolution: 'looks like a scam' });

      await reachHold(held.hold.id, 'voided', alice);
      const voided = await getHold(held.hold.id, alice);
      expect(voided).toMatchObject({ status: 'voided', transactionId: null, decidedAt: expect.any(String) });
      expect(await account(alice)).toMatchObject({ balance: 1_499_000, availableBalance: 1_499_000 });
      expect(await remainingLimit(alice, bob, 999_001)).toBe(999_000);
      expect(await transferEntries(bob.accountId)).toBe(1);
      expect(await t.balanceOf(bob.accountId)).toBe(1_000);
      expect((await cancelHold(alice, held.hold.id).expect(409)).body.code).toBe('HOLD_NOT_PENDING');
      const statuses = (await eventsOf(alice.user.id, 'hold.updated')).filter((e) => e.payload.id === held.hold.id).map((e) => e.payload.status);
      expect(statuses).toEqual(['pending', 'voided']);
    });

    it('customer cancel: while the request is open (submitted, pending_review or in_review) it cancels hold and request; afterwards 409', async () => {
      const alice = await t.newFundedCustomer(3_000_000);
      const bob = await t.newCustomer();
      await setDailyLimit(alice, 10_000_000);

      // in_review: claimed by an employee, still the customer's to withdraw.
      const claimed = await hold(alice, bob, 500_000);
      await flow.decide(claimed.hold.requestId, alice, false);
      const cancelled = await cancelHold(alice, claimed.hold.id).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', decidedAt: expect.any(String) });
      await flow.reach(claimed.hold.requestId, 'cancelled', alice);
      expect((await cancelHold(alice, claimed.hold.id).expect(409)).body.code).toBe('HOLD_NOT_PENDING');
      // The employee's decision comes too late.
      const late = await t.http().post(`/api/v1/service-requests/${claimed.hold.requestId}/approve`).set(bearer(employee.accessToken)).send({});
      expect(late.status).toBe(409);
      expect(['HOLD_NOT_PENDING', 'INVALID_STATE_TRANSITION']).toContain(late.body.code);

      // pending_review.
      const queued = await hold(alice, bob, 500_001);
      await flow.reach(queued.hold.requestId, 'pending_review', alice);
      await cancelHold(alice, queued.hold.id).expect(200);
      await flow.reach(queued.hold.requestId, 'cancelled', alice);

      // Cancelling the request itself (the service-request route) cancels the hold too, or is refused: never half of it.
      const viaRequest = await hold(alice, bob, 500_002);
      await flow.reach(viaRequest.hold.requestId, 'pending_review', alice);
      const requestCancel = await t.http().post(`/api/v1/service-requests/${viaRequest.hold.requestId}/cancel`).set(bearer(alice.accessToken));
      if (requestCancel.status === 200) {
        await reachHold(viaRequest.hold.id, 'cancelled', alice);
      } else {
        expect(requestCancel.status).toBe(409);
        expect((await getHold(viaRequest.hold.id, alice)).status).toBe('pending');
        await cancelHold(alice, viaRequest.hold.id).expect(200);
      }

      // approved (before the fulfilment posted): too late for the customer.
      const approved = await hold(alice, bob, 500_003);
      await flow.decide(approved.hold.requestId, alice);
      const afterApproval = await cancelHold(alice, approved.hold.id);
      expect(afterApproval.status).toBe(409);
      expect(afterApproval.body.code).toBe('HOLD_NOT_PENDING');
      await reachHold(approved.hold.id, 'posted', alice);

      expect(await account(alice)).toMatchObject({ balance: 3_000_000 - 500_003, availableBalance: 3_000_000 - 500_003 });
      expect(await t.balanceOf(bob.accountId)).toBe(500_003);
      expect((await holdsOf(alice)).map((h) => h.status).sort()).toEqual(['cancelled', 'cancelled', 'cancelled', 'posted']);
    });

    it('expiry on time: unanswered after HOLD_TTL_S (2 s here) the hold and its request are expired by their delayed job, funds and limit released', async () => {
      const short = await startApp({ HOLD_TTL_S: '2' });
      const alice = await short.newFundedCustomer(2_000_000);
      const bob = await short.newCustomer();
      await payOnce(alice, bob, 1_000, short);
      const held = await hold(alice, bob, 600_000, { app: short });
      const ttlMs = Date.parse(held.hold.expiresAt) - Date.parse(held.hold.createdAt);
      expect(ttlMs).toBeGreaterThanOrEqual(2_000 - 50);
      expect(ttlMs).toBeLessThanOrEqual(2_000 + 1_000);
      // No sweep runs meanwhile (see beforeAll): a hold left for the sweep alone would wait up to REQUEST_SWEEP_INTERVAL_S.
      await reachHold(held.hold.id, 'expired', alice, 6_000);
      await flow.reach(held.hold.requestId, 'expired', alice, 2_000);
      expect(await getHold(held.hold.id, alice)).toMatchObject({ status: 'expired', transactionId: null, decidedAt: expect.any(String) });
      expect(await account(alice)).toMatchObject({ balance: 1_999_000, availableBalance: 1_999_000 });
      expect(await remainingLimit(alice, bob, 999_001)).toBe(999_000);
      expect((await cancelHold(alice, held.hold.id).expect(409)).body.code).toBe('HOLD_NOT_PENDING');
      // The employee can no longer claim it.
      expect((await claim(held.hold.requestId)).status).toBe(409);
      expect(await transferEntries(bob.accountId)).toBe(1);
    });

    it('expiry by the sweep (the backstop for a lost job): overdue undecided reviews are expired, pending or claimed; others are left alone', async () => {
      const alice = await t.newFundedCustomer(2_000_000);
      const bob = await t.newCustomer();
      await setDailyLimit(alice, 10_000_000);
      const queued = await hold(alice, bob, 500_000);
      const claimed = await hold(alice, bob, 500_001);
      await flow.decide(claimed.hold.requestId, alice, false);
      const notDue = await hold(alice, bob, 500_002);
      // Their time made up (the default HOLD_TTL_S is a day), as if the delayed job had been lost.
      for (const h of [queued.hold, claimed.hold]) {
        await t.sql(`update holds set expires_at = now() - interval '1 second' where id = ?`, [h.id]);
        await t.sql(`update service_requests set expires_at = now() - interval '1 second' where id = ?`, [h.requestId]);
      }
      const swept = await sweepNow();
      expect(swept.expired).toBeGreaterThanOrEqual(2);
      for (const h of [queued.hold, claimed.hold]) {
        expect(await getHold(h.id, alice)).toMatchObject({ status: 'expired', transactionId: null, decidedAt: expect.any(String) });
        const request = await flow.get(h.requestId, employee);
        expect(request.status).toBe('expired');
        expect(request.history!.filter((e) => e.to === 'expired')).toHaveLength(1);
      }
      expect((await getHold(notDue.hold.id, alice)).status).toBe('pending');
      expect(await account(alice)).toMatchObject({ balance: 2_000_000, availableBalance: 2_000_000 - 500_002 });
      // A second sweep finds nothing more to do.
      await sweepNow();
      expect((await holdsOf(alice)).map((h) => h.status)).toEqual(['pending', 'expired', 'expired']);
      await expectHeldToMatchPendingHolds();
    });

    it('past the deadline, before the expiry job ran: claim, approve and reject answer 409 and expire the review at once; nothing moves', async () => {
      const alice = await t.newFundedCustomer(2_000_000);
      const bob = await t.newCustomer();
      await setDailyLimit(alice, 10_000_000);
      const queued = await hold(alice, bob, 500_000);
      const approving = await hold(alice, bob, 500_001);
      const rejecting = await hold(alice, bob, 500_002);
      for (const h of [approving.hold, rejecting.hold]) expect((await claim(h.requestId)).status).toBe(200);
      // The deadline passes; the delayed jobs (a day away) have not run.
      for (const h of [queued.hold, approving.hold, rejecting.hold]) {
        await t.sql(`update holds set expires_at = now() - interval '1 second' where id = ?`, [h.id]);
        await t.sql(`update service_requests set expires_at = now() - interval '1 second' where id = ?`, [h.requestId]);
      }
      const late = [
        await claim(queued.hold.requestId),
        await t.http().post(`/api/v1/service-requests/${approving.hold.requestId}/approve`).set(bearer(employee.accessToken)).send({}),
        await reject(rejecting.hold.requestId, 'too late'),
      ];
      for (const answer of late) {
        expect(answer.status).toBe(409);
        expect(answer.body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', requestStatus: 'expired', detail: expect.stringContaining('deadline has passed') });
      }
      for (const h of [queued.hold, approving.hold, rejecting.hold]) {
        expect(await getHold(h.id, alice)).toMatchObject({ status: 'expired', transactionId: null });
        expect((await flow.get(h.requestId, employee)).status).toBe('expired');
      }
      expect(await transferEntries(bob.accountId)).toBe(0);
      expect(await account(alice)).toMatchObject({ balance: 2_000_000, availableBalance: 2_000_000 });
      await expectHeldToMatchPendingHolds();
    });

    it('a target closed between hold and approval: the request fails, the hold is voided, nothing moves', async () => {
      const alice = await t.newFundedCustomer(1_000_000);
      const bob = await t.newCustomer();
      const held = await hold(alice, bob, 600_000);
      await t.sql(`update accounts set status = 'closed' where id = ?`, [bob.accountId]);
      await flow.decide(held.hold.requestId, alice);
      await flow.reach(held.hold.requestId, 'failed', alice);
      await reachHold(held.hold.id, 'voided', alice);
      expect(await account(alice)).toMatchObject({ balance: 1_000_000, availableBalance: 1_000_000 });
      expect(await t.balanceOf(bob.accountId)).toBe(0);
      expect(await transferEntries(bob.accountId)).toBe(0);
    });

    it('a source frozen between hold and approval: the request fails with ACCOUNT_FROZEN, the hold is voided, funds and limit released', async () => {
      const alice = await t.newFundedCustomer(1_500_000);
      const bob = await t.newCustomer();
      const held = await hold(alice, bob, 1_000_000); // the whole day's limit
      await flow.reach(held.hold.requestId, 'pending_review', alice);

      // Alice asks for her account to be frozen; it is, through the pipeline.
      const freeze = await flow.submit(alice, { type: 'account_freeze', accountId: alice.accountId });
      await flow.decide(freeze.id, alice);
      await flow.reach(freeze.id, 'completed', alice);
      expect((await account(alice)).status).toBe('frozen');

      await claim(held.hold.requestId).expect(200);
      await flow.approve(held.hold.requestId);
      await flow.reach(held.hold.requestId, 'failed', alice);
      const failed = await flow.get(held.hold.requestId, employee);
      expect(failed.resolution).toMatch(/ACCOUNT_FROZEN/);
      await reachHold(held.hold.id, 'voided', alice);
      expect(await getHold(held.hold.id, alice)).toMatchObject({ status: 'voided', transactionId: null });
      expect(await account(alice)).toMatchObject({ balance: 1_500_000, availableBalance: 1_500_000, status: 'frozen' });
      expect(await transferEntries(bob.accountId)).toBe(0);
      expect(await t.balanceOf(bob.accountId)).toBe(0);

      // Unfrozen again, the whole limit is there: a transfer of all of it is accepted (held by the amount rule), not refused.
      await t.sql(`update accounts set status = 'active' where id = ?`, [alice.accountId]);
      expect((await hold(alice, bob, 1_000_000)).account.availableBalance).toBe(500_000);
      expect(await ledgerCheck()).toMatchObject({ balanced: true, mismatches: [] });
      await expectHeldToMatchPendingHolds();
    });
  });

  describe('the contract around holds', () => {
    it('idempotency: replaying a held transfer answers the same 202 with Idempotent-Replayed and makes no second hold, also concurrently and after a decision', async () => {
      const alice = await t.newFundedCustomer(3_000_000);
      const bob = await t.newCustomer();
      await setDailyLimit(alice, 10_000_000);
      const first = await send(alice, bob, 500_000, { key: 'big-one' }).expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const replay = await send(alice, bob, 500_000, { key: 'big-one' }).expect(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await holdsOf(alice)).toHaveLength(1);
      expect((await account(alice)).availableBalance).toBe(2_500_000);

      // Ten at once with a fresh key: one hold, ten identical answers.
      const burst = await Promise.all(Array.from({ length: 10 }, () => send(alice, bob, 600_000, { key: 'double-click' })));
      expect(burst.map((r) => r.status)).toEqual(Array(10).fill(202));
      for (const answer of burst) expect(answer.body).toEqual(burst[0].body);
      expect(burst.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
      expect(await holdsOf(alice)).toHaveLength(2);
      expect((await eventsOf(alice.user.id, 'hold.updated')).map((e) => e.payload.status)).toEqual(['pending', 'pending']);
      const requests = await t.sql<{ n: number }>(`select count(*)::int as n from service_requests where owner_id = ? and type = 'transfer_review'`, [alice.user.id]);
      expect(requests[0].n).toBe(2);

      // After the hold is cancelled the replay is still the original answer, and reserves nothing again.
      await cancelHold(alice, first.body.hold.id).expect(200);
      const late = await send(alice, bob, 500_000, { key: 'big-one' }).expect(202);
      expect(late.body).toEqual(first.body);
      expect(await holdsOf(alice)).toHaveLength(2);
      expect(await account(alice)).toMatchObject({ balance: 3_000_000, availableBalance: 2_400_000 });
      // The same key with another body is refused as before.
      expect((await send(alice, bob, 500_001, { key: 'big-one' }).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('authorization: GET /holds/:id for the owner, employees and admins; another customer gets 404 and cannot cancel; lists are own only', async () => {
      const alice = await t.newFundedCustomer(1_000_000);
      const bob = await t.newCustomer();
      const mallory = await t.newFundedCustomer(1_000);
      const held = await hold(alice, bob, 500_000);

      expect(await getHold(held.hold.id, alice)).toEqual(held.hold);
      // Staff read the same hold (employees may be shown more: the facts a reviewer needs).
      expect(await getHold(held.hold.id, employee)).toMatchObject(held.hold);
      expect(await getHold(held.hold.id, await t.admin())).toMatchObject(held.hold);
      const stranger = await t.http().get(`/api/v1/holds/${held.hold.id}`).set(bearer(mallory.accessToken)).expect(404);
      expect(stranger.body.code).toBe('NOT_FOUND');
      await t.http().get(`/api/v1/holds/${held.hold.id}`).set(bearer(bob.accessToken)).expect(404); // the payee either
      await t.http().get('/api/v1/holds/00000000-0000-4000-8000-00000000dead').set(bearer(alice.accessToken)).expect(404);
      await t.http().get(`/api/v1/holds/${held.hold.id}`).expect(401);

      expect((await cancelHold(mallory, held.hold.id).expect(404)).body.code).toBe('NOT_FOUND');
      expect((await cancelHold(employee, held.hold.id)).status).not.toBe(200);
      expect((await getHold(held.hold.id, alice)).status).toBe('pending');

      expect(await holdsOf(mallory)).toEqual([]);
      expect(await holdsOf(bob)).toEqual([]);
      // A transfer_review is filed by the bank only: a customer cannot file one (and so cannot point one at someone else's hold).
      const forged = await t.http().post('/api/v1/service-requests').set(bearer(mallory.accessToken)).send({ type: 'transfer_review', details: { holdId: held.hold.id } });
      expect(forged.status).toBe(400);
      expect((await getHold(held.hold.id, alice)).status).toBe('pending');
      // The request is Alice's too: Mallory cannot read it.
      await t.http().get(`/api/v1/service-requests/${held.hold.requestId}`).set(bearer(mallory.accessToken)).expect(404);
    });

    it('the employee sees the facts to decide (both parties, the rule, the sender’s last 10 transfers and account age); the customer does not', async () => {
      const alice = await t.newFundedCustomer(1_000_000, { fullName: 'Alice Facts' });
      const [bob, carol] = await Promise.all([t.newCustomer({ fullName: 'Bob Facts' }), t.newCustomer({ fullName: 'Carol Facts' })]);
      for (let i = 1; i <= 12; i++) await send(alice, carol, 100 + i).expect(201);
      const held = await hold(alice, bob, 500_000);
      const staffView = (await getHold(held.hold.id, employee)) as HoldView & {
        review: { sender: Record<string, unknown>; recentTransfers: Array<{ amount: number; counterparty: { accountNumber: string } }> };
      };
      expect(staffView).toMatchObject({
        ...held.hold,
        reason: 'amount',
        counterparty: { accountNumber: bob.accountNumber, name: 'Bob Facts' },
        review: { sender: { name: 'Alice Facts', accountNumber: alice.accountNumber, accountOpenedAt: expect.any(String) } },
      });
      expect(staffView.review.recentTransfers.map((x) => x.amount)).toEqual([112, 111, 110, 109, 108, 107, 106, 105, 104, 103]);
      expect(new Set(staffView.review.recentTransfers.map((x) => x.counterparty.accountNumber))).toEqual(new Set([carol.accountNumber]));
      expect(await getHold(held.hold.id, alice)).not.toHaveProperty('review');
      await t.http().get('/api/v1/holds').set(bearer(employee.accessToken)).expect(403);
    });

    it('GET /holds: newest first, ?status filters, ?limit and ?cursor page without gaps or repeats', async () => {
      const alice = await t.newFundedCustomer(5_000_000);
      const bob = await t.newCustomer();
      await setDailyLimit(alice, 100_000_000);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await hold(alice, bob, 500_000 + i)).hold.id);
      await cancelHold(alice, ids[1]).expect(200);
      await cancelHold(alice, ids[3]).expect(200);

      const firstPage = await t.http().get('/api/v1/holds?limit=2').set(bearer(alice.accessToken)).expect(200);
      expect(firstPage.body.items.map((h: HoldView) => h.id)).toEqual([ids[4], ids[3]]);
      expect(firstPage.body.nextCursor).toEqual(expect.any(String));
      const secondPage = await t.http().get(`/api/v1/holds?limit=2&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`).set(bearer(alice.accessToken)).expect(200);
      expect(secondPage.body.items.map((h: HoldView) => h.id)).toEqual([ids[2], ids[1]]);
      expect((await holdsOf(alice)).map((h) => h.id)).toEqual([...ids].reverse());
      expect((await holdsOf(alice, 'pending')).map((h) => h.id)).toEqual([ids[4], ids[2], ids[0]]);
      expect((await holdsOf(alice, 'cancelled')).map((h) => h.id)).toEqual([ids[3], ids[1]]);
      expect(await holdsOf(alice, 'posted')).toEqual([]);
      expect((await account(alice)).availableBalance).toBe(5_000_000 - (500_000 + 500_002 + 500_004));

      await t.http().get('/api/v1/holds?status=nonsense').set(bearer(alice.accessToken)).expect(400);
      await t.http().get('/api/v1/holds?limit=0').set(bearer(alice.accessToken)).expect(400);
      await t.http().get('/api/v1/holds?limit=101').set(bearer(alice.accessToken)).expect(400);
    });

    it('the database keeps availableBalance ≥ 0 and a decided hold decided, whoever connects', async () => {
      const alice = await t.newFundedCustomer(800_000);
      const bob = await t.newCustomer();
      const pending = await hold(alice, bob, 500_000);
      const cancelled = await hold(alice, bob, 200_000);
      await cancelHold(alice, cancelled.hold.id).expect(200);

      // More reserved than the balance; less balance than is reserved.
      expect(await databaseRefusal('update accounts set held = balance + 1 where id = $1', [alice.accountId])).toMatch(INTEGRITY_REFUSAL);
      expect(await databaseRefusal('update accounts set balance = 499999 where id = $1', [alice.accountId])).toMatch(INTEGRITY_REFUSAL);
      // A decided hold cannot be decided again, nor brought back, nor changed.
      for (const status of ['pending', 'posted', 'voided', 'expired']) {
        expect(await databaseRefusal('update holds set status = $1 where id = $2', [status, cancelled.hold.id])).toMatch(INTEGRITY_REFUSAL);
      }
      expect(await databaseRefusal('update holds set amount = 1 where id = $1', [cancelled.hold.id])).toMatch(INTEGRITY_REFUSAL);
      expect(await account(alice)).toMatchObject({ balance: 800_000, availableBalance: 300_000 });
      expect((await getHold(pending.hold.id, alice)).status).toBe('pending');
      expect((await getHold(cancelled.hold.id, alice)).status).toBe('cancelled');
      expect(await entriesSum(alice.accountId)).toBe(800_000);
      await expectHeldToMatchPendingHolds();
      expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
    });
  });

  it('the ledger check reports a reservation that is not the sum of the pending holds (and is unbalanced)', async () => {
    const carol = await t.newFundedCustomer(10_000);
    expect(await ledgerCheck()).toMatchObject({ balanced: true, heldMismatches: [] });
    // A reservation written around the money path (this file's own database: no other suite sees it).
    await t.sql('update accounts set held = 2500 where id = ?', [carol.accountId]);
    try {
      expect(await ledgerCheck()).toMatchObject({ balanced: false, heldMismatches: [{ accountId: carol.accountId, number: carol.accountNumber, held: 2_500, pendingHolds: 0 }] });
    } finally {
      await t.sql('update accounts set held = 0 where id = ?', [carol.accountId]);
    }
    expect(await ledgerCheck()).toMatchObject({ balanced: true, heldMismatches: [] });
  });
});
