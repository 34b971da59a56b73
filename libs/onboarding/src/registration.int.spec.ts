import { TestApp, TEST_PASSWORD, uniqueEmail } from '../../../test/support/test-app';

describe('registration (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('registers a customer with a checking account and a card, and answers no secret', async () => {
    const email = uniqueEmail('journey');
    const registered = await t.http().post('/api/v1/auth/register').send({ email, password: TEST_PASSWORD, fullName: 'Jo Journey', pin: '0007' }).expect(201);
    expect(registered.body.user).toMatchObject({ email, fullName: 'Jo Journey', role: 'customer', status: 'active' });
    expect(registered.body.account).toMatchObject({ type: 'checking', currency: 'USD', balance: 0, status: 'active' });
    expect(registered.body.account.number).toMatch(/^\d{12}$/);
    expect(JSON.stringify(registered.body)).not.toMatch(/hash|0007|password/i);
    const cards = await t.sql<{ pin_hash: string }>('select pin_hash from cards where owner_id = ?', [registered.body.user.id]);
    expect(cards).toHaveLength(1);
    expect(cards[0].pin_hash).toMatch(/^\$argon2id\$/);
  });

  it('posts the initial deposit as a deposit from cash, in the answer already', async () => {
    const registered = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ email: uniqueEmail('funded'), password: TEST_PASSWORD, fullName: 'Fay Funded', pin: '1234', initialDeposit: 12_345 })
      .expect(201);
    expect(registered.body.account.balance).toBe(12_345);
    const entries = await t.sql<{ kind: string; description: string; amount: string; balance_after: string }>(
      `select t.kind, t.description, e.amount, e.balance_after from ledger_entries e join ledger_transactions t on t.id = e.transaction_id where e.account_id = ?`,
      [registered.body.account.id],
    );
    expect(entries.map((e) => ({ ...e, amount: Number(e.amount), balance_after: Number(e.balance_after) }))).toEqual([
      { kind: 'deposit', description: 'Initial deposit', amount: 12_345, balance_after: 12_345 },
    ]);
  });

  it('refuses a duplicate email, whatever its case, with 409 CONFLICT and no second row', async () => {
    const email = uniqueEmail('dup');
    await t.http().post('/api/v1/auth/register').send({ email, password: TEST_PASSWORD, fullName: 'One', pin: '1111' }).expect(201);
    const again = await t.http().post('/api/v1/auth/register').send({ email: email.toUpperCase(), password: TEST_PASSWORD, fullName: 'Two', pin: '2222' }).expect(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT', status: 409 });
    const rows = await t.sql('select count(*)::int as n from users where email = ?', [email]);
    expect(rows[0].n).toBe(1);
  });
});
