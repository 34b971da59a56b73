import { accountNumberFromPayload, isValidAccountNumber } from '@bank/contracts/account-number';
import { bearer, TestApp, type TestCustomer } from '../../../test/support/test-app';

describe('money movement (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const deposit = (c: TestCustomer, body: object, accountId = c.accountId) =>
    t.http().post(`/api/v1/accounts/${accountId}/deposits`).set(bearer(c.accessToken)).send(body);
  const withdraw = (c: TestCustomer, body: object, accountId = c.accountId) =>
    t.http().post(`/api/v1/accounts/${accountId}/withdrawals`).set(bearer(c.accessToken)).send(body);
  const transfer = (c: TestCustomer, body: object) => t.http().post('/api/v1/transfers').set(bearer(c.accessToken)).send(body);
  const entriesOf = async (accountId: string) => (await t.sql<{ n: number }>('select count(*)::int as n from ledger_entries where account_id = ?', [accountId]))[0].n;
  const eventsOf = (userId: string) =>
    t.sql<{ type: string; payload: Record<string, unknown> }>('select type, payload from outbox_events where recipient = ? order by id', [`user:${userId}`]);

  it('posts a deposit as double entry against the cash account, with the running balance and outbox events', async () => {
    const c = await t.newCustomer();
    const response = await deposit(c, { amount: 12_345, description: 'salary' }).expect(201);
    expect(response.body.transaction).toMatchObject({ kind: 'deposit', amount: 12_345, currency: 'USD', description: 'salary' });
    expect(response.body.account).toMatchObject({ id: c.accountId, balance: 12_345 });
    const entries = await t.sql<{ account_id: string; amount: string; balance_after: string | null }>(
      'select account_id, amount, balance_after from ledger_entries where transaction_id = ? order by amount',
      [response.body.transaction.id],
    );
    expect(entries).toEqual([
      { account_id: '00000000-0000-4000-8000-000000000001', amount: '-12345', balance_after: null },
      { account_id: c.accountId, amount: '12345', balance_after: '12345' },
    ]);
    const events = await eventsOf(c.user.id);
    expect(events.map((e) => e.type)).toEqual(['balance.updated', 'transaction.posted', 'notification.created']);
    expect(events[0].payload).toEqual({ accountId: c.accountId, balance: 12_345, availableBalance: 12_345, currency: 'USD', transactionId: response.body.transaction.id });
    expect(events[1].payload).toMatchObject({ accountId: c.accountId, amount: 12_345, balanceAfter: 12_345, kind: 'deposit', counterparty: null });
  });

  it('transfers between two customers: both balances, both statements with the counterparty, events to both owners only', async () => {
    const alice = await t.newFundedCustomer(50_000, { fullName: 'Alice Sender' });
    const bob = await t.newFundedCustomer(1_000, { fullName: 'Bob Receiver' });
    const carol = await t.newFundedCustomer(1_000);
    const carolEventsBefore = (await eventsOf(carol.user.id)).length;
    const response = await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 7_500, description: 'rent' }).expect(201);
    expect(response.body.account).toMatchObject({ id: alice.accountId, balance: 42_500 });
    expect(await t.balanceOf(bob.accountId)).toBe(8_500);

    const aliceHistory = await t.http().get(`/api/v1/accounts/${alice.accountId}/transactions`).set(bearer(alice.accessToken)).expect(200);
    expect(aliceHistory.body.items[0]).toMatchObject({
      transactionId: response.body.transaction.id,
      kind: 'transfer',
      amount: -7_500,
      balanceAfter: 42_500,
      counterparty: { accountNumber: bob.accountNumber, name: 'Bob Receiver' },
      description: 'rent',
    });
    const bobHistory = await t.http().get(`/api/v1/accounts/${bob.accountId}/transactions`).set(bearer(bob.accessToken)).expect(200);
    expect(bobHistory.body.items[0]).toMatchObject({ amount: 7_500, balanceAfter: 8_500, counterparty: { accountNumber: alice.accountNumber, name: 'Alice Sender' } });

    const bobEvents = (await eventsOf(bob.user.id)).filter((e) => e.payload.transactionId === response.body.transaction.id);
    expect(bobEvents.map((e) => e.type)).toEqual(['balance.updated', 'transaction.posted']);
    expect(bobEvents[0].payload).toMatchObject({ accountId: bob.accountId, balance: 8_500 });
    const aliceEvents = (await eventsOf(alice.user.id)).filter((e) => e.payload.transactionId === response.body.transaction.id);
    expect(aliceEvents[0].payload).toMatchObject({ accountId: alice.accountId, balance: 42_500 });
    expect((await eventsOf(carol.user.id)).length).toBe(carolEventsBefore);
  });

  it('refuses an overdraft with 422 INSUFFICIENT_FUNDS and moves nothing', async () => {
    const alice = await t.newFundedCustomer(1_000);
    const bob = await t.newCustomer();
    const refused = await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1_001 }).expect(422);
    expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_FUNDS', status: 422 });
    const refusedWithdrawal = await withdraw(alice, { amount: 1_001, pin: '4321' }).expect(422);
    expect(refusedWithdrawal.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await t.balanceOf(alice.accountId)).toBe(1_000);
    expect(await t.balanceOf(bob.accountId)).toBe(0);
    await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1_000 }).expect(201);
    expect(await t.balanceOf(alice.accountId)).toBe(0);
  });

  it('refuses a self transfer, an unknown number (404), a typo in the number (400), the bank’s own account and someone else’s source', async () => {
    const alice = await t.newFundedCustomer(5_000);
    const bob = await t.newFundedCustomer(5_000);
    expect((await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: alice.accountNumber, amount: 1 }).expect(422)).body.code).toBe('SELF_TRANSFER');
    let unknown = accountNumberFromPayload('12345678901');
    while (unknown === bob.accountNumber) unknown = accountNumberFromPayload(String(Number(unknown.slice(0, 11)) + 1));
    expect((await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: unknown, amount: 1 }).expect(404)).body.code).toBe('NOT_FOUND');
    const typo = bob.accountNumber.slice(0, 5) + String((Number(bob.accountNumber[5]) + 1) % 10) + bob.accountNumber.slice(6);
    expect(isValidAccountNumber(typo)).toBe(false);
    const typoResponse = await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: typo, amount: 1 }).expect(400);
    expect(typoResponse.body.errors).toEqual([{ path: 'toAccountNumber', message: expect.stringMatching(/check digit/) }]);
    await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: '900000000019', amount: 1 }).expect(404);
    await transfer(alice, { fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: 1 }).expect(404);
    expect(await t.balanceOf(alice.accountId)).toBe(5_000);
    expect(await t.balanceOf(bob.accountId)).toBe(5_000);
  });

  it('refuses a transfer between currencies with 422 CURRENCY_MISMATCH', async () => {
    const alice = await t.newFundedCustomer(5_000);
    const bob = await t.newCustomer();
    const euroNumber = accountNumberFromPayload(`5${String(Date.now()).slice(-10)}`);
    await t.sql(`insert into accounts (id, owner_id, number, kind, type, currency) values (gen_random_uuid(), ?, ?, 'customer', 'checking', 'EUR')`, [bob.user.id, euroNumber]);
    const response = await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: euroNumber, amount: 100 }).expect(422);
    expect(response.body.code).toBe('CURRENCY_MISMATCH');
    expect(await t.balanceOf(alice.accountId)).toBe(5_000);
  });

  it('lets a frozen account receive but not pay; a closed one does neither', async () => {
    const alice = await t.newFundedCustomer(5_000);
    const bob = await t.newFundedCustomer(5_000);
    await t.sql(`update accounts set status = 'frozen' where id = ?`, [bob.accountId]);
    await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }).expect(201);
    await deposit(bob, { amount: 100 }).expect(201);
    const frozenPays = await transfer(bob, { fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: 100 }).expect(422);
    expect(frozenPays.body).toMatchObject({ code: 'ACCOUNT_FROZEN', accountStatus: 'frozen' });
    expect((await withdraw(bob, { amount: 100, pin: '4321' }).expect(422)).body.code).toBe('ACCOUNT_FROZEN');
    expect(await t.balanceOf(bob.accountId)).toBe(5_200);

    await t.sql(`update accounts set status = 'closed' where id = ?`, [bob.accountId]);
    expect((await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }).expect(422)).body).toMatchObject({
      code: 'ACCOUNT_FROZEN',
      accountStatus: 'closed',
    });
    expect((await deposit(bob, { amount: 100 }).expect(422)).body.accountStatus).toBe('closed');
    expect(await t.balanceOf(bob.accountId)).toBe(5_200);
    expect(await t.balanceOf(alice.accountId)).toBe(4_900);
  });

  it('enforces the daily transfer limit on what remains of it today', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newCustomer();
    await t.sql('update accounts set daily_limit = 1000 where id = ?', [alice.accountId]);
    const send = (amount: number) => transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount });
    await send(600).expect(201);
    const over = await send(500).expect(422);
    expect(over.body).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', dailyLimit: 1_000, remaining: 400 });
    await send(400).expect(201);
    expect((await send(1).expect(422)).body.remaining).toBe(0);
    // Yesterday's spending does not count.
    await t.sql(`update accounts set spent_on = spent_on - 1 where id = ?`, [alice.accountId]);
    await send(1_000).expect(201);
    expect(await t.balanceOf(bob.accountId)).toBe(2_000);
  });

  it('needs the card PIN: 3 wrong in a row block the card (423), a right one resets the count', async () => {
    const c = await t.newFundedCustomer(10_000, { pin: '2580' });
    const wrong = () => withdraw(c, { amount: 100, pin: '0000' });
    expect((await wrong().expect(422)).body).toMatchObject({ code: 'PIN_INVALID', attemptsLeft: 2 });
    await withdraw(c, { amount: 100, pin: '2580' }).expect(201);
    expect((await wrong().expect(422)).body.attemptsLeft).toBe(2);
    expect((await wrong().expect(422)).body.attemptsLeft).toBe(1);
    expect((await wrong().expect(422)).body.attemptsLeft).toBe(0);
    const blocked = await withdraw(c, { amount: 100, pin: '2580' }).expect(423);
    expect(blocked.body.code).toBe('CARD_BLOCKED');
    expect(await t.balanceOf(c.accountId)).toBe(9_900);
  });

  it('counts concurrent wrong PINs exactly: 10 at once → 3 PIN_INVALID, 7 CARD_BLOCKED', async () => {
    const c = await t.newFundedCustomer(10_000, { pin: '2580' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => withdraw(c, { amount: 100, pin: '1111' })));
    const invalid = answers.filter((a) => a.status === 422);
    expect(invalid.map((a) => a.body.attemptsLeft).sort()).toEqual([0, 1, 2]);
    expect(answers.filter((a) => a.status === 423)).toHaveLength(7);
    const [card] = await t.sql<{ failed_pin_attempts: number; blocked: boolean }>('select failed_pin_attempts, blocked_at is not null as blocked from cards where owner_id = ?', [c.user.id]);
    expect(card).toEqual({ failed_pin_attempts: 3, blocked: true });
    expect(await t.balanceOf(c.accountId)).toBe(10_000);
  });

  const badAmounts: Array<[string, unknown]> = [
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ['"100"', '100'],
    ['1e12', 1e12],
    ['null', null],
    ['missing', undefined],
  ];
  it.each(badAmounts)('refuses the amount %s on every money POST with 400, changing nothing', async (_label, amount) => {
    const alice = await t.newFundedCustomer(5_000);
    const bob = await t.newCustomer();
    const withAmount = (body: Record<string, unknown>) => (amount === undefined ? body : { ...body, amount });
    for (const response of [
      await deposit(alice, withAmount({})),
      await withdraw(alice, withAmount({ pin: '4321' })),
      await transfer(alice, withAmount({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber })),
    ]) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'amount' })] });
    }
    expect(await t.balanceOf(alice.accountId)).toBe(5_000);
    expect(await entriesOf(alice.accountId)).toBe(1);
    expect(await entriesOf(bob.accountId)).toBe(0);
  });

  it("answers 404 for a malformed id and for someone else's account, on every account route", async () => {
    const alice = await t.newFundedCustomer(5_000);
    const mallory = await t.newFundedCustomer(5_000);
    for (const accountId of ['not-a-uuid', alice.accountId]) {
      expect((await deposit(mallory, { amount: 1 }, accountId)).status).toBe(404);
      expect((await withdraw(mallory, { amount: 1, pin: '4321' }, accountId)).status).toBe(404);
      expect((await t.http().get(`/api/v1/accounts/${accountId}/transactions`).set(bearer(mallory.accessToken))).status).toBe(404);
    }
    const notUuid = await transfer(mallory, { fromAccountId: 'not-a-uuid', toAccountNumber: alice.accountNumber, amount: 1 }).expect(400);
    expect(notUuid.body.errors[0].path).toBe('fromAccountId');
    expect(await t.balanceOf(alice.accountId)).toBe(5_000);
    expect(await t.balanceOf(mallory.accountId)).toBe(5_000);
  });

  it('keeps money movement to customers and the ledger views to admins', async () => {
    const alice = await t.newFundedCustomer(5_000);
    const employee = await t.newStaff('employee');
    await t.http().post('/api/v1/transfers').set(bearer(employee.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: alice.accountNumber, amount: 1 }).expect(403);
    for (const path of ['/api/v1/admin/transactions', '/api/v1/admin/ledger/check', '/api/v1/admin/stats']) {
      await t.http().get(path).set(bearer(alice.accessToken)).expect(403);
      await t.http().get(path).set(bearer(employee.accessToken)).expect(403);
    }
  });

  it('shows admins every transaction, the ledger check and the stats', async () => {
    const alice = await t.newFundedCustomer(5_000);
    const bob = await t.newCustomer();
    const moved = await transfer(alice, { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 250 }).expect(201);
    const admin = await t.admin();
    // Other test files post transactions meanwhile: walk the pages (newest first) until ours, seen exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20 && !seen.includes(moved.body.transaction.id); page++) {
      const list: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.http().get(`/api/v1/admin/transactions?limit=5${cursor ? `&cursor=${cursor}` : ''}`).set(bearer(admin.accessToken)).expect(200);
      seen.push(...list.body.items.map((tx) => tx.id));
      cursor = list.body.nextCursor;
      expect(cursor).toEqual(expect.any(String)); // the funding deposit is older still
    }
    expect(seen.filter((id) => id === moved.body.transaction.id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
    const check = await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200);
    expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [] });
    const stats = await t.http().get('/api/v1/admin/stats').set(bearer(admin.accessToken)).expect(200);
    expect(stats.body).toMatchObject({ customers: expect.any(Number), accounts: expect.any(Number), lockedUsers: expect.any(Number), openRequests: expect.any(Number) });
    expect(stats.body.transactionsToday).toBeGreaterThanOrEqual(2);
    // Other test files write concurrently, so only a lower bound is stable here.
    expect(stats.body.totalCustomerBalance).toBeGreaterThanOrEqual(4_750);
  });
});
