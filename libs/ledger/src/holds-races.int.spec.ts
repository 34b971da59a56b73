import { randomInt } from 'node:crypto';
import { RequestContext } from '@mikro-orm/postgresql';
import type { RequestStatus } from '@bank/contracts/requests';
import type { HoldView } from '@bank/contracts/holds';
import { RequestsService } from '@bank/requests/requests.service';
import { bearer, type TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { eventually } from '../../../test/support/live-client';
import { RequestFlow } from '../../../test/support/request-flow';
import { OwnPlatform } from '../../../test/support/own-platform';
import { holdsProbe } from '../../../test/support/holds-probe';

const REVIEW_AMOUNT = 500_000;
const LOSER_CODES = ['HOLD_NOT_PENDING', 'INVALID_STATE_TRANSITION'];
const FINAL_REQUEST_STATUSES: RequestStatus[] = ['completed', 'rejected', 'cancelled', 'expired', 'failed'];

/**
 * Holds under concurrency (issue 17): many transfers from one account with some held, and the four
 * ways a hold can be decided fired at once. A database and a Redis prefix of this file's own, with
 * the worker running in this process.
 */
describe('holds under concurrency (HTTP, real PostgreSQL, Redis, in-process worker)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  let employee: TestStaff;
  let databaseUrl: string;

  beforeAll(async () => {
    platform = await OwnPlatform.start('holdraces');
    ({ app: t, employee, databaseUrl } = platform);
  });

  afterAll(() => platform?.close());

  const flow = new RequestFlow(
    () => t,
    () => employee,
  );
  const { account, getHold, holdsOf, transferEntries, entriesSum, ledgerCheck, expectHeldToMatchPendingHolds } = holdsProbe(() => t);
  const send = (c: TestCustomer, to: TestCustomer, amount: number) =>
    t.http().post('/api/v1/transfers').set(bearer(c.accessToken)).send({ fromAccountId: c.accountId, toAccountNumber: to.accountNumber, amount });
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits until the hold is decided and its request has left the pipeline (an approval still has to be posted). */
  const settled = async (h: HoldView, owner: TestCustomer) => {
    let hold = h;
    let requestStatus: RequestStatus | undefined;
    await eventually(
      async () => {
        hold = await getHold(h.id, owner);
        requestStatus = (await flow.get(h.requestId, owner)).status;
        return hold.status !== 'pending' && FINAL_REQUEST_STATUSES.includes(requestStatus);
      },
      `hold ${h.id} and its request to settle`,
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (hold ${hold.status}, request ${String(requestStatus)})`);
    });
    return { hold, requestStatus: requestStatus! };
  };

  /**
   * The expiry step as the worker's sweep runs it for an overdue review, called directly: the
   * deadline is set first (dueIn), so the step may find it due.
   */
  const expireNow = (h: HoldView): Promise<boolean> => RequestContext.create(t.orm().em, () => t.app.get(RequestsService).expireReview(h.requestId));
  /** The hold's deadline moved to `ms` milliseconds from now. */
  const dueIn = async (h: HoldView, ms: number) => {
    await t.sql(`update holds set expires_at = now() + make_interval(secs => ?) where id = ?`, [ms / 1000, h.id]);
    await t.sql(`update service_requests set expires_at = (select expires_at from holds where id = ?) where id = ?`, [h.id, h.requestId]);
  };

  it('50 concurrent transfers from one account, some held: availableBalance never negative, every reservation visible, money conserved, entries = balances', async () => {
    const alice = await t.newFundedCustomer(3_000_000, { fullName: 'Alice Busy' });
    const payees = await Promise.all(Array.from({ length: 5 }, (_, i) => t.newCustomer({ fullName: `Payee ${i}` })));
    await t.sql('update accounts set daily_limit = 100000000 where id = ?', [alice.accountId]);
    // Every payee already paid once (posted, below every threshold): only the amount rule holds here.
    for (const payee of payees) await send(alice, payee, 1_000).expect(201);
    const start = 3_000_000 - 5_000;

    // A mix: every fourth at or above REVIEW_AMOUNT (held), the others below it; far more than the balance in all.
    const plan = Array.from({ length: 50 }, (_, i) => ({ to: payees[i % payees.length], amount: i % 4 === 0 ? REVIEW_AMOUNT + randomInt(0, 100_000) : randomInt(10_000, REVIEW_AMOUNT) }));

    // Watch the account while the burst runs: the available balance is never below zero.
    let bursting = true;
    const samples: Array<{ balance: number; available: number; held: number }> = [];
    const watcher = (async () => {
      while (bursting) {
        const [row] = await t.sql<{ balance: string; held: string }>('select balance, held from accounts where id = ?', [alice.accountId]);
        const view = await account(alice);
        samples.push({ balance: Number(row.balance), held: Number(row.held), available: view.availableBalance });
        await sleep(2);
      }
    })();
    const answers = await Promise.all(plan.map((p) => send(alice, p.to, p.amount)));
    bursting = false;
    await watcher;

    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.available).toBeGreaterThanOrEqual(0);
      expect(sample.balance - sample.held).toBeGreaterThanOrEqual(0);
    }

    const posted: number[] = [];
    const held: HoldView[] = [];
    answers.forEach((answer, i) => {
      const { amount } = plan[i];
      if (answer.status === 201) {
        expect(amount).toBeLessThan(REVIEW_AMOUNT);
        expect(answer.body.transaction).toMatchObject({ kind: 'transfer', amount });
        posted.push(amount);
      } else if (answer.status === 202) {
        expect(amount).toBeGreaterThanOrEqual(REVIEW_AMOUNT);
        expect(answer.body.hold).toMatchObject({ status: 'pending', reason: 'amount', amount, fromAccountId: alice.accountId });
        expect(answer.body.account.availableBalance).toBeGreaterThanOrEqual(0);
        held.push(answer.body.hold as HoldView);
      } else {
        expect(answer.status).toBe(422);
        expect(answer.body.code).toBe('INSUFFICIENT_FUNDS');
      }
    });
    // Something of each: posted, held and refused.
    expect(posted.length).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(posted.length + held.length).toBeLessThan(50);

    // Every reservation is visible: the pending holds are exactly the 202s, and they are the difference.
    const after = await account(alice);
    expect(after.balance).toBe(start - sum(posted));
    expect(after.availableBalance).toBe(after.balance - sum(held.map((h) => h.amount)));
    expect(after.availableBalance).toBeGreaterThanOrEqual(0);
    const pending = await holdsOf(alice, 'pending');
    expect(pending.map((h) => h.id).sort()).toEqual(held.map((h) => h.id).sort());
    expect(sum(pending.map((h) => h.amount))).toBe(after.balance - after.availableBalance);
    const [row] = await t.sql<{ held: string }>('select held from accounts where id = ?', [alice.accountId]);
    expect(Number(row.held)).toBe(sum(held.map((h) => h.amount)));

    // Money conserved; the ledger agrees with the stored balances; nothing of the holds posted yet.
    const payeesTotal = async () => sum(await Promise.all(payees.map((p) => t.balanceOf(p.accountId))));
    expect(await payeesTotal()).toBe(5_000 + sum(posted));
    expect(await entriesSum(alice.accountId)).toBe(after.balance);
    expect(sum(await Promise.all(payees.map((p) => transferEntries(p.accountId))))).toBe(5 + posted.length);
    expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });

    await expectHeldToMatchPendingHolds();

    // Then the employee decides them all at once, approving every other one, while every payee
    // sends money back to Alice (the postings and the money path lock the same accounts).
    const approveIt = (i: number) => i % 2 === 0;
    const [, paidBack] = await Promise.all([
      Promise.all(
        held.map(async (h, i) => {
          await flow.decide(h.requestId, alice, false);
          if (approveIt(i)) await flow.approve(h.requestId);
          else await t.http().post(`/api/v1/service-requests/${h.requestId}/reject`).set(bearer(employee.accessToken)).send({ reason: 'no' }).expect(200);
        }),
      ),
      Promise.all(payees.flatMap((payee) => Array.from({ length: 4 }, () => send(payee, alice, 250)))),
    ]);
    expect(paidBack.map((r) => r.status)).toEqual(Array(paidBack.length).fill(201));
    const back = 250 * paidBack.length;
    const outcomes = await Promise.all(held.map((h) => settled(h, alice)));
    outcomes.forEach(({ hold, requestStatus }, i) => {
      if (approveIt(i)) {
        expect(hold).toMatchObject({ status: 'posted', transactionId: expect.any(String) });
        expect(requestStatus).toBe('completed');
      } else {
        expect(hold).toMatchObject({ status: 'voided', transactionId: null });
        expect(requestStatus).toBe('rejected');
      }
    });
    const approved = held.filter((_, i) => approveIt(i));
    const postedIds = outcomes.map((o) => o.hold.transactionId).filter((id): id is string => id !== null);
    expect(new Set(postedIds).size).toBe(approved.length);
    const final = await account(alice);
    const expectedFinal = after.balance - sum(approved.map((h) => h.amount)) + back;
    expect(final).toMatchObject({ balance: expectedFinal, availableBalance: expectedFinal });
    expect(await payeesTotal()).toBe(5_000 + sum(posted) + sum(approved.map((h) => h.amount)) - back);
    expect(await entriesSum(alice.accountId)).toBe(final.balance);
    expect(sum(await Promise.all(payees.map((p) => transferEntries(p.accountId))))).toBe(5 + posted.length + approved.length + paidBack.length);
    expect(await holdsOf(alice, 'pending')).toEqual([]);
    await expectHeldToMatchPendingHolds();
    expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
  });

  it('approve vs reject vs customer cancel vs expiry fired together on one hold: exactly one outcome, at most one posting, the others 409', async () => {
    const ROUNDS = 16;
    const wins: Record<string, number> = { approve: 0, reject: 0, cancel: 0, expire: 0 };
    const pairs = await Promise.all(
      Array.from({ length: ROUNDS }, async () => [await t.newFundedCustomer(1_000_000), await t.newCustomer()] as const),
    );
    for (let round = 0; round < ROUNDS; round++) {
      const [alice, bob] = pairs[round];
      const placed = await send(alice, bob, REVIEW_AMOUNT).expect(202);
      const h = placed.body.hold as HoldView;
      await flow.decide(h.requestId, alice, false); // claimed: approve and reject are both possible now
      // The deadline falls inside the race: decided before it, approve or reject can win; after it
      // they are refused (and expire the review themselves), and only the expiry or a cancel can.
      await dueIn(h, randomInt(0, 25));

      // Each round favours another contender (it starts at once, the others after a few random ms;
      // the direct expiry call, which has no HTTP to cross, a little later still), so each gets to win.
      const favourite = round % 4;
      const delays = [0, 1, 2, 3].map((i) => (i === favourite ? 0 : randomInt(1, 12)) + (i === 3 ? randomInt(3, 8) : 0));
      const [approveAnswer, rejectAnswer, cancelAnswer, expired] = await Promise.all([
        sleep(delays[0]).then(() => t.http().post(`/api/v1/service-requests/${h.requestId}/approve`).set(bearer(employee.accessToken)).send({ note: 'fine' })),
        sleep(delays[1]).then(() => t.http().post(`/api/v1/service-requests/${h.requestId}/reject`).set(bearer(employee.accessToken)).send({ reason: 'not fine' })),
        sleep(delays[2]).then(() => t.http().post(`/api/v1/holds/${h.id}/cancel`).set(bearer(alice.accessToken))),
        sleep(delays[3]).then(() => expireNow(h)),
      ]);
      const http = { approve: approveAnswer, reject: rejectAnswer, cancel: cancelAnswer };
      // An approve or reject refused for the deadline expires the review itself: the expiry won then too.
      const { hold, requestStatus } = await settled(h, alice);
      const expiredByAny = hold.status === 'expired';
      const winners = [...Object.entries(http).filter(([, answer]) => answer.status === 200).map(([name]) => name), ...(expiredByAny ? ['expire'] : [])];
      const context = `round ${round}: ${JSON.stringify(Object.fromEntries(Object.entries(http).map(([name, a]) => [name, [a.status, a.body.code]])))} expire=${expired} hold=${hold.status}`;
      expect({ context, winners: winners.length }).toEqual({ context, winners: 1 });
      for (const answer of Object.values(http).filter((a) => a.status !== 200)) {
        expect({ context, status: answer.status }).toEqual({ context, status: 409 });
        expect(LOSER_CODES).toContain(answer.body.code);
      }
      const winner = winners[0];
      wins[winner]++;

      const expected = {
        approve: { hold: 'posted', request: 'completed' },
        reject: { hold: 'voided', request: 'rejected' },
        cancel: { hold: 'cancelled', request: 'cancelled' },
        expire: { hold: 'expired', request: 'expired' },
      }[winner]!;
      expect({ context, hold: hold.status, request: requestStatus }).toEqual({ context, hold: expected.hold, request: expected.request });

      // At most one posting, and only for an approval.
      const postings = winner === 'approve' ? 1 : 0;
      expect(await transferEntries(bob.accountId)).toBe(postings);
      expect(await account(alice)).toMatchObject({ balance: 1_000_000 - postings * REVIEW_AMOUNT, availableBalance: 1_000_000 - postings * REVIEW_AMOUNT });
      expect(hold.transactionId === null).toBe(postings === 0);
      // One decision in the request's history, one final hold.updated.
      const history = (await flow.get(h.requestId, employee)).history!.map((e) => e.to);
      expect(history.filter((to) => ['approved', 'rejected', 'cancelled', 'expired'].includes(to))).toHaveLength(1);
      const holdEvents = await t.sql<{ status: string }>(`select payload->>'status' as status from outbox_events where recipient = ? and type = 'hold.updated' and payload->>'id' = ? order by id`, [
        `user:${alice.user.id}`,
        h.id,
      ]);
      expect(holdEvents.map((e) => e.status)).toEqual(['pending', expected.hold]);
    }
    // Which contender won is up to the race; the report shows the spread.
    console.info(`holds race winners over ${ROUNDS} rounds: ${JSON.stringify(wins)}`);
    expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [] });
    await expectHeldToMatchPendingHolds();
  });

  it('twenty concurrent cancels of one hold by its owner: one 200, nineteen 409 HOLD_NOT_PENDING, funds released once', async () => {
    const alice = await t.newFundedCustomer(800_000);
    const bob = await t.newCustomer();
    const h = (await send(alice, bob, 600_000).expect(202)).body.hold as HoldView;
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.http().post(`/api/v1/holds/${h.id}/cancel`).set(bearer(alice.accessToken))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 200);
    expect(losers.map((a) => a.status)).toEqual(Array(19).fill(409));
    for (const loser of losers) expect(loser.body.code).toBe('HOLD_NOT_PENDING');
    expect(await account(alice)).toMatchObject({ balance: 800_000, availableBalance: 800_000 });
    await flow.reach(h.requestId, 'cancelled', alice);
  });

  it('ten concurrent held transfers against a 1,000,000 daily limit: exactly two held, eight DAILY_LIMIT_EXCEEDED', async () => {
    const alice = await t.newFundedCustomer(10_000_000);
    const bob = await t.newCustomer();
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(alice, bob, REVIEW_AMOUNT)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(2);
    const refused = answers.filter((a) => a.status !== 202);
    expect(refused.map((a) => a.status)).toEqual(Array(8).fill(422));
    for (const answer of refused) expect(answer.body.code).toBe('DAILY_LIMIT_EXCEEDED');
    expect(await account(alice)).toMatchObject({ balance: 10_000_000, availableBalance: 9_000_000 });
    expect(await holdsOf(alice)).toHaveLength(2);
  });
});

