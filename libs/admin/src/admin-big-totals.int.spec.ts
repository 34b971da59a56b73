import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { bearer, TestApp } from '../../../test/support/test-app';

/** 2^53 + 1: the first integer a JSON number (an IEEE double) cannot hold. */
const BEYOND_DOUBLE = 9_007_199_254_740_993n;

/**
 * Totals above 2^53 minor units (issue 19): `/admin/stats` and `/admin/ledger/check` answer them
 * exactly (a decimal string once past a safe integer) instead of a 500. On a database of its own:
 * balances this large would be everyone's totals in the run's shared one.
 */
describe('admin totals beyond 2^53 minor units (HTTP, a throwaway database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.startOnOwnDatabase('big_totals');
  });
  afterAll(() => t?.close());

  /** Deposits `amount` as the ledger would record it (a balanced transaction, the entry's running balance), in one database transaction. */
  async function depositBySql(accountId: string, amount: bigint): Promise<void> {
    const db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
    try {
      await db.query('begin');
      const transactionId = randomUUID();
      const {
        rows: [cash],
      } = await db.query<{ id: string }>(`select id from accounts where kind = 'system' order by id limit 1`);
      const {
        rows: [account],
      } = await db.query<{ balance: string; entry_count: string }>(
        'update accounts set balance = balance + $2, entry_count = entry_count + 1 where id = $1 returning balance, entry_count',
        [accountId, amount.toString()],
      );
      await db.query(`insert into ledger_transactions (id, kind, amount, currency, description) values ($1, 'deposit', $2, 'USD', 'a very large deposit')`, [transactionId, amount.toString()]);
      await db.query('insert into ledger_entries (id, transaction_id, account_id, amount, balance_after, account_seq) values ($1, $2, $3, $4, $5, $6)', [
        randomUUID(),
        transactionId,
        accountId,
        amount.toString(),
        account.balance,
        account.entry_count,
      ]);
      await db.query('insert into ledger_entries (id, transaction_id, account_id, amount) values ($1, $2, $3, $4)', [randomUUID(), transactionId, cash.id, (-amount).toString()]);
      await db.query('commit');
    } catch (error) {
      await db.query('rollback');
      throw error;
    } finally {
      await db.end();
    }
  }

  it('GET /admin/stats and GET /admin/ledger/check answer 200 with the exact total, a string past 2^53 − 1', async () => {
    const [rich, richer] = await Promise.all([t.newFundedCustomer(500), t.newFundedCustomer(700)]);
    await depositBySql(rich.accountId, BEYOND_DOUBLE - 500n);
    await depositBySql(richer.accountId, 4_000_000_000_000_000n);
    const admin = await t.admin();

    const stats = await t.http().get('/api/v1/admin/stats').set(bearer(admin.accessToken)).expect(200);
    const expected = BEYOND_DOUBLE + 4_000_000_000_000_000n + 700n;
    expect(stats.body.totalCustomerBalance).toBe(expected.toString());
    expect(stats.body.customers).toBe(2);

    const check = await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200);
    expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [], heldMismatches: [] });
  });
});
