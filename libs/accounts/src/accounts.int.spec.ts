import { isValidAccountNumber } from '@bank/contracts/account-number';
import { TestApp } from '../../../test/support/test-app';

describe('accounts (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('opens a checking account with a check-digit number at registration, and more on request', async () => {
    const customer = await t.newCustomer();
    expect(isValidAccountNumber(customer.accountNumber)).toBe(true);
    const auth = { Authorization: `Bearer ${customer.accessToken}` };
    const savings = await t.http().post('/api/v1/accounts').set(auth).send({ type: 'savings' }).expect(201);
    expect(savings.body).toMatchObject({ type: 'savings', currency: 'USD', balance: 0, status: 'active', dailyLimit: 1_000_000 });
    const list = await t.http().get('/api/v1/accounts').set(auth).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([customer.accountId, savings.body.id]);
    await t.http().get(`/api/v1/accounts/${customer.accountId}`).set(auth).expect(200);
  });

  it("answers 404 for someone else's account and for a malformed id, so ids cannot be probed", async () => {
    const owner = await t.newCustomer();
    const other = await t.newCustomer();
    const response = await t.http().get(`/api/v1/accounts/${owner.accountId}`).set('Authorization', `Bearer ${other.accessToken}`).expect(404);
    expect(response.body.code).toBe('NOT_FOUND');
    await t.http().get('/api/v1/accounts/not-a-uuid').set('Authorization', `Bearer ${other.accessToken}`).expect(404);
  });

  it('refuses an unknown currency or type with 400 and opens nothing', async () => {
    const customer = await t.newCustomer();
    const auth = { Authorization: `Bearer ${customer.accessToken}` };
    for (const body of [{ currency: 'XXX' }, { type: 'brokerage' }, { balance: 100 }]) {
      const response = await t.http().post('/api/v1/accounts').set(auth).send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from accounts where owner_id = ?', [customer.user.id]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps accounts to customers: staff get 403', async () => {
    const employee = await t.newStaff('employee');
    await t.http().get('/api/v1/accounts').set('Authorization', `Bearer ${employee.accessToken}`).expect(403);
  });
});
