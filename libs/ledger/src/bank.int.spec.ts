import { randomInt } from 'node:crypto';
import type { EntryView } from '@bank/contracts/ledger';
import { bearer, TestApp, type TestCustomer } from '../../../test/support/test-app';

const ACCOUNTS = 20;
const CLIENTS = 32;
const TRANSFERS = 2_000;
const REFUSAL_CODES = ['INSUFFICIENT_FUNDS', 'ACCOUNT_FROZEN', 'DAILY_LIMIT_EXCEEDED'];

interface Planned {
  from: number;
  to: number;
  amount: number;
  key: string;
}

interface Answer {
  planned: Planned;
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

/**
 * The bank test: many clients moving money at once among a few accounts — overdrafts, frozen and
 * closed accounts, repeated idempotency keys — and afterwards not a cent created or lost.
 */
describe('the bank test: 32 clients, 2,000 random transfers among 20 accounts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('keeps every money invariant', async () => {
    const customers: TestCustomer[] = [];
    for (let i = 0; i < ACCOUNTS; i += 5) {
      customers.push(...(await Promise.all(Array.from({ length: 5 }, () => t.newFundedCustomer(randomInt(20_000, 60_000))))));
    }
    const [frozenA, frozenB, closed] = [customers[0], customers[1], customers[2]];
    await t.sql(`update accounts set status = 'frozen' where id in (?, ?)`, [frozenA.accountId, frozenB.accountId]);
    await t.sql(`update accounts set status = 'closed' where id = ?`, [closed.accountId]);
    const ids = customers.map((c) => c.accountId);
    const balances = async () => new Map((await t.sql<{ id: string; balance: string }>('select id, balance from accounts where id in (?)', [ids])).map((r) => [r.id, Number(r.balance)]));
    const before = await balances();
    const totalBefore = [...before.values()].reduce((a, b) => a + b, 0);

    const plan: Planned[] = [];
    for (let i = 0; i < TRANSFERS; i++) {
      if (i > 0 && randomInt(10) === 0) {
        plan.push({ ...plan[randomInt(i)] }); // the same key and body again: a client retrying
        continue;
      }
      const from = randomInt(ACCOUNTS);
      let to = randomInt(ACCOUNTS - 1);
      if (to >= from) to++;
      plan.push({ from, to, amount: randomInt(1, 30_000), key: `bank-${i}` });
    }

    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < plan.length) {
          const planned = plan[next++];
          const sender = customers[planned.from];
          const response = await t
            .http()
            .post('/api/v1/transfers')
            .set(bearer(sender.accessToken))
            .set('Idempotency-Key', planned.key)
            .send({ fromAccountId: sender.accountId, toAccountNumber: customers[planned.to].accountNumber, amount: planned.amount });
          answers.push({ planned, status: response.status, body: response.body, replayed: response.headers['idempotent-replayed'] === 'true' });
        }
      }),
    );
    expect(answers).toHaveLength(TRANSFERS);

    // Every answer is a move or a named refusal; never a server error.
    for (const answer of answers) {
      if (answer.status !== 201) {
        expect(answer.status).toBe(422);
        expect(REFUSAL_CODES).toContain(answer.body.code);
      }
    }
    const refusedFrom = (c: TestCustomer) => answers.filter((a) => customers[a.planned.from] === c);
    for (const a of [...refusedFrom(frozenA), ...refusedFrom(frozenB), ...refusedFrom(closed)]) {
      expect(a.body.code).toBe('ACCOUNT_FROZEN');
    }
    for (const a of answers.filter((x) => customers[x.planned.to] === closed && customers[x.planned.from] !== frozenA && customers[x.planned.from] !== frozenB)) {
      expect(a.status).toBe(422);
    }
    expect(answers.some((a) => a.body.code === 'INSUFFICIENT_FUNDS')).toBe(true);

    // One key, one answer: every repeat got the first answer, byte for byte.
    const byKey = new Map<string, Answer[]>();
    for (const answer of answers) byKey.set(answer.planned.key, [...(byKey.get(answer.planned.key) ?? []), answer]);
    for (const group of byKey.values()) {
      for (const answer of group) {
        expect(answer.status).toBe(group[0].status);
        expect(answer.body).toEqual(group[0].body);
      }
      expect(group.filter((a) => !a.replayed)).toHaveLength(1);
    }

    const accepted = [...byKey.values()].map((group) => group[0]).filter((a) => a.status === 201);
    const acceptedIds = new Set(accepted.map((a) => (a.body.transaction as { id: string }).id));
    expect(acceptedIds.size).toBe(accepted.length);

    // Not a cent created or lost; no customer below zero; the ledger agrees with itself.
    const after = await balances();
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(totalBefore);
    for (const balance of after.values()) expect(balance).toBeGreaterThanOrEqual(0);
    const expected = new Map(before);
    for (const a of accepted) {
      expected.set(ids[a.planned.from], expected.get(ids[a.planned.from])! - a.planned.amount);
      expected.set(ids[a.planned.to], expected.get(ids[a.planned.to])! + a.planned.amount);
    }
    expect(after).toEqual(expected);
    const admin = await t.admin();
    const check = await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200);
    expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });

    // Every accepted transfer is in the ledger exactly once per side; entries match the 201s.
    const entries = await t.sql<{ transaction_id: string; account_id: string; amount: string }>(
      `select e.transaction_id, e.account_id, e.amount from ledger_entries e join ledger_transactions x on x.id = e.transaction_id
       where x.kind = 'transfer' and e.account_id in (?)`,
      [ids],
    );
    expect(entries).toHaveLength(2 * accepted.length);
    for (const a of accepted) {
      const sides = entries.filter((e) => e.transaction_id === (a.body.transaction as { id: string }).id);
      expect(sides.map((e) => [e.account_id, Number(e.amount)]).sort()).toEqual(
        [
          [ids[a.planned.from], -a.planned.amount],
          [ids[a.planned.to], a.planned.amount],
        ].sort(),
      );
    }

    // ...and in both statements, once each.
    const seenInStatements = new Map<string, number>();
    for (const customer of customers) {
      let cursor: string | null = null;
      do {
        const page: { body: { items: EntryView[]; nextCursor: string | null } } = await t
          .http()
          .get(`/api/v1/accounts/${customer.accountId}/transactions?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
          .set(bearer(customer.accessToken))
          .expect(200);
        for (const entry of page.body.items) {
          if (entry.kind === 'transfer') seenInStatements.set(entry.transactionId, (seenInStatements.get(entry.transactionId) ?? 0) + 1);
        }
        cursor = page.body.nextCursor;
      } while (cursor);
    }
    expect(seenInStatements.size).toBe(acceptedIds.size);
    for (const id of acceptedIds) expect(seenInStatements.get(id)).toBe(2);
  });
});
