import { bearer, TestApp, type TestCustomer } from '../../../test/support/test-app';

describe('Idempotency-Key on money POSTs (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const transfer = (app: TestApp, c: TestCustomer, body: object, key?: string) => {
    const request = app.http().post('/api/v1/transfers').set(bearer(c.accessToken));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  const transferEntries = async (accountId: string) =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from ledger_entries e join ledger_transactions x on x.id = e.transaction_id where e.account_id = ? and x.kind = 'transfer'`, [accountId]))[0].n;

  it('replays the original status and body with Idempotent-Replayed, moving money once', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newCustomer();
    const body = { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1_000 };
    const first = await transfer(t, alice, body, 'pay-bob-1').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await transfer(t, alice, body, 'pay-bob-1').expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await t.balanceOf(alice.accountId)).toBe(9_000);
    expect(await transferEntries(bob.accountId)).toBe(1);
  });

  it('refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing moved', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newCustomer();
    await transfer(t, alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1_000 }, 'k').expect(201);
    const reused = await transfer(t, alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 2_000 }, 'k').expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherEndpoint = await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).set('Idempotency-Key', 'k').send({ amount: 1_000 }).expect(422);
    expect(otherEndpoint.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await t.balanceOf(alice.accountId)).toBe(9_000);
  });

  it('moves money once for 10 concurrent requests with one key, and answers all of them identically', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newCustomer();
    const body = { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 700 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => transfer(t, alice, body, 'double-click')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(await t.balanceOf(alice.accountId)).toBe(9_300);
    expect(await t.balanceOf(bob.accountId)).toBe(700);
  });

  it('replays a refusal as it was, even after the funds arrived', async () => {
    const alice = await t.newFundedCustomer(100);
    const bob = await t.newCustomer();
    const body = { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 500 };
    const refused = await transfer(t, alice, body, 'too-much').expect(422);
    expect(refused.body.code).toBe('INSUFFICIENT_FUNDS');
    await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).send({ amount: 1_000 }).expect(201);
    const replay = await transfer(t, alice, body, 'too-much').expect(422);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(refused.body);
    expect(await t.balanceOf(bob.accountId)).toBe(0);
  });

  it('replays a withdrawal and a deposit; a wrong PIN under a key is answered the same on replay', async () => {
    const c = await t.newFundedCustomer(5_000);
    const withdraw = (key: string, pin: string) =>
      t.http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(bearer(c.accessToken)).set('Idempotency-Key', key).send({ amount: 1_000, pin });
    const first = await withdraw('atm-1', '4321').expect(201);
    expect((await withdraw('atm-1', '4321').expect(201)).body).toEqual(first.body);
    const wrongPin = await withdraw('atm-2', '0000').expect(422);
    expect(wrongPin.body.code).toBe('PIN_INVALID');
    expect((await withdraw('atm-2', '0000').expect(422)).body).toEqual(wrongPin.body);
    const [card] = await t.sql<{ failed_pin_attempts: number }>('select failed_pin_attempts from cards where owner_id = ?', [c.user.id]);
    expect(card.failed_pin_attempts).toBe(1);
    const deposit = () => t.http().post(`/api/v1/accounts/${c.accountId}/deposits`).set(bearer(c.accessToken)).set('Idempotency-Key', 'cash-in').send({ amount: 300 });
    await deposit().expect(201);
    await deposit().expect(201).expect('Idempotent-Replayed', 'true');
    expect(await t.balanceOf(c.accountId)).toBe(4_300);
  });

  it('keeps keys per user, and across an api restart', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newFundedCustomer(10_000);
    await transfer(t, alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }, 'shared-key').expect(201);
    const bobsOwn = await transfer(t, bob, { fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: 100 }, 'shared-key').expect(201);
    expect(bobsOwn.headers['idempotent-replayed']).toBeUndefined();

    const restarted = await TestApp.start();
    try {
      const replay = await transfer(restarted, alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }, 'shared-key').expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
    } finally {
      await restarted.close();
    }
    expect(await t.balanceOf(alice.accountId)).toBe(10_000);
  });

  it('validates the key: empty or over 255 characters is 400', async () => {
    const alice = await t.newFundedCustomer(1_000);
    for (const key of ['', 'k'.repeat(256)]) {
      const response = await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).set('Idempotency-Key', key).send({ amount: 1 });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toBe('Idempotency-Key');
    }
    expect(await t.balanceOf(alice.accountId)).toBe(1_000);
  });
});
