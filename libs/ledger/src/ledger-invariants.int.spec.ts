import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { bearer, TestApp } from '../../../test/support/test-app';
import { testDatabaseUrl } from '../../../test/support/test-env';

/** The database itself refuses what would break the money rules, whoever connects. */
describe('ledger invariants enforced by PostgreSQL', () => {
  let t: TestApp;
  let db: Client;
  let transactionId: string;
  let accountId: string;
  beforeAll(async () => {
    t = await TestApp.start();
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    const c = await t.newFundedCustomer(1_000);
    accountId = c.accountId;
    const history = await t.http().get(`/api/v1/accounts/${c.accountId}/transactions`).set(bearer(c.accessToken)).expect(200);
    transactionId = history.body.items[0].transactionId;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it.each([
    ['update ledger_entries set amount = amount * 2 where transaction_id = $1'],
    ['delete from ledger_entries where transaction_id = $1'],
    ['update ledger_transactions set amount = 1 where id = $1'],
    ['delete from ledger_transactions where id = $1'],
  ])('refuses: %s', async (statement) => {
    await expect(db.query(statement, [transactionId])).rejects.toThrow(/immutable/);
  });

  it('refuses TRUNCATE of the ledger', async () => {
    await expect(db.query('truncate ledger_entries cascade')).rejects.toThrow(/immutable|truncate/i);
    await expect(db.query('truncate ledger_transactions cascade')).rejects.toThrow(/immutable|truncate/i);
    const [{ n }] = (await db.query('select count(*)::int as n from ledger_entries where transaction_id = $1', [transactionId])).rows;
    expect(n).toBe(2);
  });

  it('refuses at commit a transaction whose entries do not sum to zero', async () => {
    const id = randomUUID();
    await db.query('begin');
    try {
      await db.query(`insert into ledger_transactions (id, kind, amount, currency) values ($1, 'deposit', 500, 'USD')`, [id]);
      await db.query(`insert into ledger_entries (id, transaction_id, account_id, amount) values ($1, $2, '00000000-0000-4000-8000-000000000001', -500)`, [randomUUID(), id]);
      await expect(db.query('commit')).rejects.toThrow(/unbalanced/);
    } finally {
      await db.query('rollback').catch(() => undefined);
    }
    expect((await db.query('select 1 from ledger_transactions where id = $1', [id])).rowCount).toBe(0);
  });

  it('refuses a negative customer balance', async () => {
    await expect(db.query('update accounts set balance = -1 where id = $1', [accountId])).rejects.toThrow(/accounts_(customer_balance|available)_not_negative/);
  });

  it('refuses holds beyond the balance (available balance below zero) and a negative reservation', async () => {
    await expect(db.query('update accounts set held = balance + 1 where id = $1', [accountId])).rejects.toThrow(/accounts_available_not_negative/);
    await expect(db.query('update accounts set held = -1 where id = $1', [accountId])).rejects.toThrow(/accounts_held_check/);
  });
});
