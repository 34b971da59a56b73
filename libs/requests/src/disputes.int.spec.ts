import { Client } from 'pg';
import type { EntryView, TransactionView } from '@bank/contracts/ledger';
import type { RequestView } from '@bank/contracts/requests';
import { bearer, type TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { RequestFlow } from '../../../test/support/request-flow';
import { OwnPlatform } from '../../../test/support/own-platform';

/** Below every review rule's default threshold, so the transfers of this file post at once. */
const AMOUNT = 60_000;
const DAY_MS = 86_400_000;

/**
 * Disputes and reversals (issue 17): the sender of a posted transfer disputes it, an employee
 * approves, and the fulfilment posts a reversal linked both ways — at most once, and never with
 * money the recipient no longer has. A database and a Redis prefix of this file's own, with the
 * worker (fulfilment, outbox relay) running in this process, so the ledger check sees nothing of
 * other suites.
 */
describe('disputes: a sent transfer disputed and reversed (HTTP, real PostgreSQL, Redis, in-process worker)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  let employee: TestStaff;
  let databaseUrl: string;

  beforeAll(async () => {
    platform = await OwnPlatform.start('disputes');
    ({ app: t, employee, databaseUrl } = platform);
  });

  afterAll(() => platform?.close());

  const flow = new RequestFlow(
    () => t,
    () => employee,
  );

  /** A posted transfer (201): its transaction as the api answered it. */
  const transfer = async (from: TestCustomer, to: TestCustomer, amount = AMOUNT, description?: string): Promise<TransactionView> => {
    const response = await t
      .http()
      .post('/api/v1/transfers')
      .set(bearer(from.accessToken))
      .send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount, ...(description ? { description } : {}) });
    if (response.status !== 201) throw new Error(`expected the transfer of ${amount} to post (201), got ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.transaction as TransactionView;
  };
  const dispute = (who: { accessToken: string }, transactionId: string, body: object = { reason: 'I did not authorise this' }, key?: string) => {
    const request = t.http().post(`/api/v1/transactions/${transactionId}/disputes`).set(bearer(who.accessToken));
    if (key) request.set('Idempotency-Key', key);
    return request.send(body);
  };
  const filed = async (who: TestCustomer, transactionId: string, reason = 'I did not authorise this'): Promise<RequestView> =>
    (await dispute(who, transactionId, { reason }).expect(202)).body as RequestView;
  const history = async (c: TestCustomer): Promise<EntryView[]> =>
    (await t.http().get(`/api/v1/accounts/${c.accountId}/transactions?limit=100`).set(bearer(c.accessToken)).expect(200)).body.items as EntryView[];
  /** The admin's transaction list, walked until every one of `ids` is found (newest first). */
  const adminTransactions = async (ids: string[]): Promise<Map<string, TransactionView>> => {
    const admin = await t.admin();
    const found = new Map<string, TransactionView>();
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const page: { body: { items: TransactionView[]; nextCursor: string | null } } = await t.http().get(`/api/v1/admin/transactions?${query.toString()}`).set(bearer(admin.accessToken)).expect(200);
      for (const item of page.body.items) if (ids.includes(item.id)) found.set(item.id, item);
      cursor = page.body.nextCursor;
    } while (cursor && found.size < ids.length);
    return found;
  };
  const ledgerCheck = async () => {
    const admin = await t.admin();
    return (await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200)).body as Record<string, unknown>;
  };
  const reversalsOf = (transactionId: string) =>
    t.sql<{ id: string; amount: string; initiated_by: string | null }>(`select id, amount, initiated_by from ledger_transactions where reverses_transaction_id = ?`, [transactionId]);
  const disputesOf = (transactionId: string) =>
    t.sql<{ id: string; status: string }>(`select id, status from service_requests where type = 'transaction_dispute' and details->>'transactionId' = ? order by seq`, [transactionId]);
  const eventsOf = (userId: string, type: string) =>
    t.sql<{ payload: Record<string, unknown> }>('select payload from outbox_events where recipient = ? and type = ? order by id', [`user:${userId}`, type]);
  const expectRefused = (response: { status: number; body: Record<string, unknown> }, status: number, code: string, extra: Record<string, unknown> = {}) =>
    expect({ status: response.status, code: response.body.code, ...pick(response.body, Object.keys(extra)) }).toEqual({ status, code, ...extra });

  /**
   * Runs one statement on a client of its own inside a transaction that is always rolled back, and
   * answers PostgreSQL's refusal (`<sqlstate> <message>`), or null if it accepted the statement.
   */
  const databaseRefusal = async (statement: string, params: unknown[]): Promise<string | null> => {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('begin');
      const result = await db.query(statement, params).catch((error: { code?: string; message: string }) => `${error.code} ${error.message}`);
      return typeof result === 'string' ? result : null;
    } finally {
      await db.query('rollback').catch(() => undefined);
      await db.end();
    }
  };

  /**
   * A transfer posted `daysAgo` days ago. Ledger rows cannot be backdated (they are immutable), so
   * this writes what money_post writes — both balances, one transaction, two entries with their
   * running balances — with the old time, in one transaction: the ledger stays balanced.
   */
  const transferPostedDaysAgo = async (from: TestCustomer, to: TestCustomer, daysAgo: number): Promise<string> => {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('begin');
      const [first, second] = [from.accountId, to.accountId].sort();
      await db.query('select 1 from accounts where id in ($1, $2) order by id for update', [first, second]);
      const debit = await db.query<{ balance: string; entry_count: string }>(
        'update accounts set balance = balance - $2, entry_count = entry_count + 1 where id = $1 returning balance, entry_count',
        [from.accountId, AMOUNT],
      );
      const credit = await db.query<{ balance: string; entry_count: string }>(
        'update accounts set balance = balance + $2, entry_count = entry_count + 1 where id = $1 returning balance, entry_count',
        [to.accountId, AMOUNT],
      );
      const at = new Date(Date.now() - daysAgo * DAY_MS);
      const transaction = await db.query<{ id: string }>(
        `insert into ledger_transactions (id, kind, amount, currency, description, initiated_by, created_at)
         values (gen_random_uuid(), 'transfer', $1, 'USD', 'an old transfer', $2, $3) returning id`,
        [AMOUNT, from.user.id, at],
      );
      const id = transaction.rows[0].id;
      await db.query(
        `insert into ledger_entries (id, transaction_id, account_id, counterparty_account_id, amount, balance_after, account_seq, created_at) values
           (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $9), (gen_random_uuid(), $1, $3, $2, $7, $8, $10, $9)`,
        [id, from.accountId, to.accountId, -AMOUNT, debit.rows[0].balance, debit.rows[0].entry_count, AMOUNT, credit.rows[0].balance, at, credit.rows[0].entry_count],
      );
      await db.query('commit');
      return id;
    } catch (error) {
      await db.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      await db.end();
    }
  };

  describe('filing', () => {
    it('the sender files: 202, a transaction_dispute on the sending account, straight into the queue; the transaction view carries empty links', async () => {
      const alice = await t.newFundedCustomer(200_000, { fullName: 'Alice Disputer' });
      const bob = await t.newCustomer({ fullName: 'Bob Recipient' });
      const sent = await transfer(alice, bob, AMOUNT, 'concert tickets');
      expect(sent).toMatchObject({ kind: 'transfer', amount: AMOUNT, reversesTransactionId: null, reversedByTransactionId: null });

      const request = await filed(alice, sent.id, '  the tickets never came  ');
      expect(request).toMatchObject({
        type: 'transaction_dispute',
        status: 'pending_review',
        accountId: alice.accountId,
        ownerId: alice.user.id,
        // API.md's two fields, and the facts the reviewer decides on.
        details: {
          transactionId: sent.id,
          reason: 'the tickets never came',
          amount: AMOUNT,
          currency: 'USD',
          transferredAt: sent.createdAt,
          recipient: { accountNumber: bob.accountNumber, name: 'Bob Recipient' },
        },
        assigneeId: null,
        resolution: null,
        expiresAt: null,
      });
      const stored = await flow.get(request.id, employee);
      expect(stored.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review']);
      // The owner and the employees heard of it; nothing moved.
      expect((await eventsOf(alice.user.id, 'request.updated')).filter((e) => e.payload.id === request.id).map((e) => e.payload.status)).toEqual(['submitted', 'pending_review']);
      expect(await t.balanceOf(alice.accountId)).toBe(200_000 - AMOUNT);
      expect(await t.balanceOf(bob.accountId)).toBe(AMOUNT);
    });

    it('not a transfer the caller sent → 422 DISPUTE_NOT_ALLOWED: the recipient, a deposit; no part in it or no such id → 404; staff → 403', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const mallory = await t.newFundedCustomer(10_000);
      const sent = await transfer(alice, bob);

      expectRefused(await dispute(bob, sent.id), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'not_sent_transfer' });
      const deposit = await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).send({ amount: 5_000 }).expect(201);
      expectRefused(await dispute(alice, deposit.body.transaction.id as string), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'not_sent_transfer' });

      // Someone with no part in it cannot tell it from a transaction that does not exist.
      const stranger = await dispute(mallory, sent.id);
      const unknown = await dispute(alice, '00000000-0000-4000-8000-00000000beef');
      expectRefused(stranger, 404, 'NOT_FOUND');
      expect(pick(unknown.body, ['status', 'code', 'title', 'detail'])).toEqual(pick(stranger.body, ['status', 'code', 'title', 'detail']));
      expectRefused(await dispute(alice, 'not-a-uuid'), 404, 'NOT_FOUND');
      expectRefused(await dispute(employee, sent.id), 403, 'FORBIDDEN');

      expect(await disputesOf(sent.id)).toEqual([]);
    });

    it('the reason is 1..500 characters of storable text, and nothing else is accepted', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const sent = await transfer(alice, bob);
      for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 'nul \u0000 byte' }, { reason: 'fine', amount: 1 }]) {
        expectRefused(await dispute(alice, sent.id, body), 400, 'VALIDATION_FAILED');
      }
      expect(await disputesOf(sent.id)).toEqual([]);
      await dispute(alice, sent.id, { reason: 'x'.repeat(500) }).expect(202);
    });

    it('twice while one is open → 409 CONFLICT naming the open one; after the customer cancels it, a new one may be filed', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const sent = await transfer(alice, bob);
      const first = await filed(alice, sent.id);

      expectRefused(await dispute(alice, sent.id, { reason: 'again' }), 409, 'CONFLICT', { requestId: first.id });
      // Still open while claimed.
      await t.http().post(`/api/v1/service-requests/${first.id}/claim`).set(bearer(employee.accessToken)).expect(200);
      expectRefused(await dispute(alice, sent.id, { reason: 'and again' }), 409, 'CONFLICT', { requestId: first.id });

      const other = await filed(alice, (await transfer(alice, bob, 1_000)).id);
      await t.http().post(`/api/v1/service-requests/${other.id}/cancel`).set(bearer(alice.accessToken)).expect(200);
      const refiled = await filed(alice, other.details.transactionId as string);
      expect(refiled.id).not.toBe(other.id);
      expect((await disputesOf(sent.id)).map((r) => r.status)).toEqual(['in_review']);
    });

    it('concurrent filings of one dispute: exactly one 202, the others 409; one request stored', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const sent = await transfer(alice, bob);

      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => dispute(alice, sent.id, { reason: `attempt ${i}` })));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
      const winner = answers.find((a) => a.status === 202)!.body as RequestView;
      for (const loser of answers.filter((a) => a.status === 409)) expect(loser.body).toMatchObject({ code: 'CONFLICT', requestId: winner.id });
      expect(await disputesOf(sent.id)).toEqual([{ id: winner.id, status: 'pending_review' }]);
    });

    it('Idempotency-Key: the same dispute again replays the first (one request); another body under the key → 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const sent = await transfer(alice, bob);
      const key = `dispute-${sent.id}`;

      const first = await dispute(alice, sent.id, { reason: 'wrong payee' }, key).expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const replay = await dispute(alice, sent.id, { reason: 'wrong payee' }, key).expect(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expectRefused(await dispute(alice, sent.id, { reason: 'another reason' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await disputesOf(sent.id)).toHaveLength(1);
    });

    it('the 60-day window: a transfer sent 59 days ago can be disputed, one sent 61 days ago → 422', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const old = await transferPostedDaysAgo(alice, bob, 61);
      const recent = await transferPostedDaysAgo(alice, bob, 59);

      expectRefused(await dispute(alice, old), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'too_old' });
      expect(await disputesOf(old)).toEqual([]);
      await dispute(alice, recent).expect(202);
      expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [] });
    });
  });

  describe('deciding a dispute', () => {
    it('approve: the reversal posts recipient → sender, both balances restored, linked both ways everywhere, once', async () => {
      const alice = await t.newFundedCustomer(200_000, { fullName: 'Alice Reversed' });
      const bob = await t.newFundedCustomer(5_000, { fullName: 'Bob Reversed' });
      const sent = await transfer(alice, bob, AMOUNT, 'deposit for a flat');
      const request = await filed(alice, sent.id);

      await flow.decide(request.id, alice);
      await flow.reach(request.id, 'completed', alice);
      expect(await t.balanceOf(alice.accountId)).toBe(200_000);
      expect(await t.balanceOf(bob.accountId)).toBe(5_000);

      // One reversal, of the amount, on behalf of the employee who approved.
      const [reversal, ...more] = await reversalsOf(sent.id);
      expect(more).toEqual([]);
      expect(reversal).toMatchObject({ amount: String(AMOUNT), initiated_by: employee.user.id });
      const entries = await t.sql<{ account_id: string; counterparty_account_id: string; amount: string; balance_after: string }>(
        'select account_id, counterparty_account_id, amount, balance_after from ledger_entries where transaction_id = ? order by amount',
        [reversal.id],
      );
      expect(entries).toEqual([
        { account_id: bob.accountId, counterparty_account_id: alice.accountId, amount: String(-AMOUNT), balance_after: '5000' },
        { account_id: alice.accountId, counterparty_account_id: bob.accountId, amount: String(AMOUNT), balance_after: '200000' },
      ]);

      // The transaction views (GET /admin/transactions) link both ways.
      const views = await adminTransactions([sent.id, reversal.id]);
      expect(views.get(sent.id)).toMatchObject({ kind: 'transfer', reversesTransactionId: null, reversedByTransactionId: reversal.id });
      expect(views.get(reversal.id)).toMatchObject({
        kind: 'reversal',
        amount: AMOUNT,
        currency: 'USD',
        description: 'Reversal: deposit for a flat',
        reversesTransactionId: sent.id,
        reversedByTransactionId: null,
      });
      // So do both statements.
      for (const [customer, sign] of [[alice, 1], [bob, -1]] as const) {
        const [reversalEntry, transferEntry] = await history(customer);
        expect(reversalEntry).toMatchObject({ transactionId: reversal.id, kind: 'reversal', amount: sign * AMOUNT, reversesTransactionId: sent.id, reversedByTransactionId: null });
        expect(transferEntry).toMatchObject({ transactionId: sent.id, kind: 'transfer', amount: -sign * AMOUNT, reversesTransactionId: null, reversedByTransactionId: reversal.id });
      }
      // Both parties got the posting's events (to their own account, with the link).
      for (const [customer, balance] of [[alice, 200_000], [bob, 5_000]] as const) {
        expect((await eventsOf(customer.user.id, 'balance.updated')).filter((e) => e.payload.transactionId === reversal.id).map((e) => e.payload)).toEqual([
          { accountId: customer.accountId, balance, availableBalance: balance, currency: 'USD', transactionId: reversal.id },
        ]);
        const posted = (await eventsOf(customer.user.id, 'transaction.posted')).filter((e) => e.payload.transactionId === reversal.id);
        expect(posted.map((e) => e.payload)).toEqual([expect.objectContaining({ accountId: customer.accountId, kind: 'reversal', reversesTransactionId: sent.id, reversedByTransactionId: null })]);
      }

      const done = await flow.get(request.id, alice);
      expect(done.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);
      expect(await ledgerCheck()).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });

      // Reversed: no new dispute of it, and the reversal itself is not a transfer anyone sent.
      expectRefused(await dispute(alice, sent.id), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'already_reversed' });
      expectRefused(await dispute(bob, reversal.id), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'not_sent_transfer' });
      expectRefused(await dispute(alice, reversal.id), 422, 'DISPUTE_NOT_ALLOWED', { reason: 'not_sent_transfer' });

      // A retried fulfilment finds its work done: money_reverse answers the reversal and writes nothing.
      const [{ outcome }] = await t.sql<{ outcome: unknown }>('select money_reverse(?, ?) as outcome', [sent.id, employee.user.id]);
      expect(outcome).toEqual({ decided: { transactionId: reversal.id } });
      expect(await reversalsOf(sent.id)).toHaveLength(1);
      expect(await t.balanceOf(alice.accountId)).toBe(200_000);

      // And not even SQL gets a second reversal in: the link is unique, and only reversals carry it.
      const second = await databaseRefusal(
        `insert into ledger_transactions (id, kind, amount, currency, description, reverses_transaction_id) values (gen_random_uuid(), 'reversal', $1, 'USD', 'again', $2)`,
        [AMOUNT, sent.id],
      );
      expect(second).toMatch(/^23505 .*ledger_transactions_reversed_once/);
      const linkedTransfer = await databaseRefusal(
        `insert into ledger_transactions (id, kind, amount, currency, reverses_transaction_id) values (gen_random_uuid(), 'transfer', 1, 'USD', $1)`,
        [(await transfer(alice, bob, 1_000)).id],
      );
      expect(linkedTransfer).toMatch(/^23514 .*ledger_transactions_reversal_linked/);
      const unlinkedReversal = await databaseRefusal(`insert into ledger_transactions (id, kind, amount, currency) values (gen_random_uuid(), 'reversal', 1, 'USD')`, []);
      expect(unlinkedReversal).toMatch(/^23514 .*ledger_transactions_reversal_linked/);
    });

    it('the recipient spent the money: the request fails with INSUFFICIENT_FUNDS and nothing moves; a later dispute may be filed', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const carol = await t.newCustomer();
      const sent = await transfer(alice, bob);
      const request = await filed(alice, sent.id);
      await transfer(bob, carol, AMOUNT - 10_000);
      const before = await Promise.all([alice, bob, carol].map((c) => t.balanceOf(c.accountId)));

      await flow.decide(request.id, alice);
      await flow.reach(request.id, 'failed', alice);
      const failed = await flow.get(request.id, alice);
      expect(failed).toMatchObject({ status: 'failed', resolution: 'INSUFFICIENT_FUNDS' });
      expect(failed.history!.at(-1)).toMatchObject({ from: 'approved', to: 'failed', note: 'INSUFFICIENT_FUNDS' });

      expect(await Promise.all([alice, bob, carol].map((c) => t.balanceOf(c.accountId)))).toEqual(before);
      expect(await reversalsOf(sent.id)).toEqual([]);
      expect((await history(bob)).map((e) => e.kind)).toEqual(['transfer', 'transfer']);
      expect(await ledgerCheck()).toMatchObject({ balanced: true });
      // The failed dispute is closed: the sender may try again (once the recipient has the funds).
      await dispute(alice, sent.id).expect(202);
    });

    it("funds the recipient has reserved for their own held transfer are not there to take: INSUFFICIENT_FUNDS, the hold untouched", async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newFundedCustomer(50_000);
      const carol = await t.newCustomer();
      const sent = await transfer(alice, bob);
      const request = await filed(alice, sent.id);
      // 100,000 to a payee Bob never paid is held (the new_payee rule): balance 110,000, available 10,000.
      const held = await t.http().post('/api/v1/transfers').set(bearer(bob.accessToken)).send({ fromAccountId: bob.accountId, toAccountNumber: carol.accountNumber, amount: 100_000 }).expect(202);
      expect(held.body.account).toMatchObject({ balance: 110_000, availableBalance: 10_000 });

      await flow.decide(request.id, alice);
      await flow.reach(request.id, 'failed', alice);
      expect((await flow.get(request.id, alice)).resolution).toBe('INSUFFICIENT_FUNDS');
      expect(await t.balanceOf(bob.accountId)).toBe(110_000);
      expect(await t.balanceOf(alice.accountId)).toBe(200_000 - AMOUNT);
      const [hold] = await t.sql<{ status: string }>('select status from holds where id = ?', [held.body.hold.id]);
      expect(hold.status).toBe('pending');
      expect(await reversalsOf(sent.id)).toEqual([]);
    });

    it('reject: the reason on the request, nothing moves, and the sender may dispute again', async () => {
      const alice = await t.newFundedCustomer(200_000);
      const bob = await t.newCustomer();
      const sent = await transfer(alice, bob);
      const request = await filed(alice, sent.id);
      await flow.decide(request.id, alice, false);
      const rejected = await t.http().post(`/api/v1/service-requests/${request.id}/reject`).set(bearer(employee.accessToken)).send({ reason: 'the goods were delivered' }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', resolution: 'the goods were delivered' });
      expect(await t.balanceOf(bob.accountId)).toBe(AMOUNT);
      expect(await reversalsOf(sent.id)).toEqual([]);
      await dispute(alice, sent.id).expect(202);
    });
  });
});

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, body[key]]));
}

