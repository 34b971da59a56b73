import { randomInt } from 'node:crypto';
import { luhnCheckDigit } from '@bank/contracts/account-number';
import { PAYEES_MAX, type PayeeList, type PayeeView } from '@bank/contracts/payees';
import type { SecurityEventView } from '@bank/contracts/security';
import { bearer, TestApp, TEST_PASSWORD, TEST_PIN, uniqueEmail, type TestCustomer } from '../../../test/support/test-app';
import { testRedisPrefix } from '../../../test/support/test-env';

/** A valid number (check digit right) that no account has. */
function unusedAccountNumber(): string {
  const payload = `9${String(Date.now()).slice(-5)}${String(randomInt(100_000)).padStart(5, '0')}`;
  return `${payload}${luhnCheckDigit(payload)}`;
}

describe('payees (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const save = (who: { accessToken: string }, body: object) => t.http().post('/api/v1/payees').set(bearer(who.accessToken)).send(body);
  const list = async (who: { accessToken: string }) => (await t.http().get('/api/v1/payees').set(bearer(who.accessToken)).expect(200)).body as PayeeList;
  const remove = (who: { accessToken: string }, id: string) => t.http().delete(`/api/v1/payees/${id}`).set(bearer(who.accessToken));
  const storedOf = (who: TestCustomer) => t.sql<{ account_number: string; nickname: string }>('select account_number::text, nickname from payees where owner_id = ? order by created_at', [who.user.id]);

  it('saves a payee with the holder’s masked name, lists newest first with the current name, deletes it', async () => {
    const [payer, bob, cher] = await Promise.all([t.newCustomer(), t.newCustomer({ fullName: 'Bob Builder' }), t.newCustomer({ fullName: 'Cher' })]);
    const first = (await save(payer, { accountNumber: bob.accountNumber, nickname: '  Landlord  ' }).expect(201)).body as PayeeView;
    expect(Object.keys(first).sort()).toEqual(['accountNumber', 'createdAt', 'id', 'name', 'nickname']);
    expect(first).toMatchObject({ accountNumber: bob.accountNumber, nickname: 'Landlord', name: 'Bob B.' });
    const second = (await save(payer, { accountNumber: cher.accountNumber, nickname: 'Singer' }).expect(201)).body as PayeeView;
    const own = (await save(payer, { accountNumber: payer.accountNumber, nickname: 'Me' }).expect(201)).body as PayeeView;
    expect(own.name).toBe('Test C.');

    expect((await list(payer)).items).toEqual([own, second, first]);

    // The name is the holder's current one, read at list time.
    await t.sql('update users set full_name = ? where id = ?', ['Robert Mason', bob.user.id]);
    expect((await list(payer)).items.find((payee) => payee.id === first.id)?.name).toBe('Robert M.');

    await remove(payer, second.id).expect(204);
    expect((await list(payer)).items.map((payee) => payee.id)).toEqual([own.id, first.id]);
    expect((await remove(payer, second.id).expect(404)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await remove(payer, 'not-a-uuid').expect(404)).body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('404 for a number no account has and for a closed account; nothing stored', async () => {
    const [payer, closed] = await Promise.all([t.newCustomer(), t.newCustomer()]);
    await t.sql(`update accounts set status = 'closed' where id = ?`, [closed.accountId]);
    for (const accountNumber of [unusedAccountNumber(), closed.accountNumber]) {
      const refused = await save(payer, { accountNumber, nickname: 'Nobody' }).expect(404);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
    expect(await storedOf(payer)).toEqual([]);
  });

  it('another customer’s payees are never listed and cannot be deleted (404, still there)', async () => {
    const [alice, mallory, payee] = await Promise.all([t.newCustomer(), t.newCustomer(), t.newCustomer()]);
    const saved = (await save(alice, { accountNumber: payee.accountNumber, nickname: 'Alice’s' }).expect(201)).body as PayeeView;
    expect((await list(mallory)).items).toEqual([]);
    expect((await remove(mallory, saved.id).expect(404)).body).toMatchObject({ code: 'NOT_FOUND', detail: 'The payee was not found.' });
    expect((await list(alice)).items.map((item) => item.id)).toEqual([saved.id]);
    // The same number is Mallory's to save too: the rule is one number once per customer.
    await save(mallory, { accountNumber: payee.accountNumber, nickname: 'Mine' }).expect(201);
  });

  it('the same number twice is 409 CONFLICT, also when both arrive at once; the first nickname stays', async () => {
    const [payer, payee, raced] = await Promise.all([t.newCustomer(), t.newCustomer(), t.newCustomer()]);
    await save(payer, { accountNumber: payee.accountNumber, nickname: 'First' }).expect(201);
    expect((await save(payer, { accountNumber: payee.accountNumber, nickname: 'Second' }).expect(409)).body).toMatchObject({ code: 'CONFLICT' });
    const statuses = (await Promise.all([save(payer, { accountNumber: raced.accountNumber, nickname: 'A' }), save(payer, { accountNumber: raced.accountNumber, nickname: 'B' })])).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409]);
    expect((await storedOf(payer)).map((row) => row.nickname).slice(0, 1)).toEqual(['First']);
    expect(await storedOf(payer)).toHaveLength(2);
  });

  it('400 VALIDATION_FAILED for a bad nickname, a bad number, a missing or unknown field; nothing stored', async () => {
    const [payer, payee] = await Promise.all([t.newCustomer(), t.newCustomer()]);
    const number = payee.accountNumber;
    const wrongCheckDigit = number.slice(0, 11) + String((Number(number[11]) + 1) % 10);
    const bodies: Array<[object, string]> = [
      [{ accountNumber: number, nickname: '' }, 'nickname'],
      [{ accountNumber: number, nickname: '    ' }, 'nickname'],
      [{ accountNumber: number, nickname: 'x'.repeat(41) }, 'nickname'],
      [{ accountNumber: number, nickname: 'a\u0000b' }, 'nickname'],
      [{ accountNumber: number, nickname: 'lone \ud800' }, 'nickname'],
      [{ accountNumber: number, nickname: 42 }, 'nickname'],
      [{ accountNumber: number }, 'nickname'],
      [{ accountNumber: wrongCheckDigit, nickname: 'Typo' }, 'accountNumber'],
      [{ accountNumber: '12345', nickname: 'Short' }, 'accountNumber'],
      [{ nickname: 'No number' }, 'accountNumber'],
      [{ accountNumber: number, nickname: 'Extra', name: 'Bob B.' }, ''],
    ];
    for (const [body, path] of bodies) {
      const refused = await save(payer, body).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      if (path) expect((refused.body.errors as Array<{ path: string }>).map((error) => error.path)).toContain(path);
    }
    expect(await storedOf(payer)).toEqual([]);
    // 40 characters is the most, counted as people count them (an emoji is one).
    const longest = '🏠'.repeat(40);
    expect((await save(payer, { accountNumber: number, nickname: longest }).expect(201)).body.nickname).toBe(longest);
  });

  it(`at most ${PAYEES_MAX} payees: the next is 409 CONFLICT until one is deleted`, async () => {
    const [payer, payee] = await Promise.all([t.newCustomer(), t.newCustomer()]);
    await t.sql(
      `insert into payees (id, owner_id, account_number, nickname, created_at)
       select gen_random_uuid(), ?, lpad(i::text, 12, '0'), 'Filler ' || i, now() - interval '1 day' + i * interval '1 second' from generate_series(1, ?) i`,
      [payer.user.id, PAYEES_MAX],
    );
    const full = await save(payer, { accountNumber: payee.accountNumber, nickname: 'One too many' }).expect(409);
    expect(full.body).toMatchObject({ code: 'CONFLICT' });
    expect(full.body.detail).toContain(String(PAYEES_MAX));
    const { items } = await list(payer);
    expect(items).toHaveLength(PAYEES_MAX);
    expect(items[0].nickname).toBe(`Filler ${PAYEES_MAX}`);
    await remove(payer, items[0].id).expect(204);
    await save(payer, { accountNumber: payee.accountNumber, nickname: 'Fits now' }).expect(201);
  });

  it('the OpenAPI document has the routes, the body schema and the choices made', async () => {
    const { paths, components } = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(paths['/api/v1/payees']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/v1/payees/{id}'])).toEqual(['delete']);
    const bodyRef = String(paths['/api/v1/payees'].post.requestBody.content['application/json'].schema.$ref).split('/').pop()!;
    expect(components.schemas[bodyRef].required).toEqual(expect.arrayContaining(['accountNumber', 'nickname']));
    expect(paths['/api/v1/payees'].post.description).toContain('RATE_LIMIT_LOOKUP_PER_USER');
  });

  it('customers only: staff 403, no token 401', async () => {
    const [payee, employee] = await Promise.all([t.newCustomer(), t.newStaff('employee')]);
    expect((await t.http().get('/api/v1/payees').set(bearer(employee.accessToken)).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await save(employee, { accountNumber: payee.accountNumber, nickname: 'Staff' }).expect(403)).body.code).toBe('FORBIDDEN');
    await t.http().get('/api/v1/payees').expect(401);
  });
});

describe('probing account numbers: lookups and payees share the lookup limit; past it 429 and one security event for admins', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Counted under a Redis prefix of its own: with limits on, this file's admin sign-in would
    // otherwise count toward the admin's per-email login limit of every other file in the run.
    t = await TestApp.start({ RATE_LIMITS: 'on', RATE_LIMIT_LOOKUP_PER_USER: '3/60', REDIS_KEY_PREFIX: `${testRedisPrefix()}payees:` });
  });
  afterAll(() => t.close());

  /** Registered and signed in from an address of its own: the registration and sign-in limits (shared in Redis by the run) stay clear. */
  async function fromOwnAddress(fullName: string, email = uniqueEmail('probe'), password = TEST_PASSWORD): Promise<{ accessToken: string; accountNumber: string; userId: string }> {
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const registered = await t.http().post('/api/v1/auth/register').set('X-Forwarded-For', ip).send({ email, password, fullName, pin: TEST_PIN }).expect(201);
    const tokens = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password }).expect(200);
    return { accessToken: tokens.body.accessToken as string, accountNumber: registered.body.account.number as string, userId: registered.body.user.id as string };
  }
  const lookup = (token: string, number: string) => t.http().get('/api/v1/accounts/lookup').query({ number }).set(bearer(token));

  it('a customer trying many numbers: 429 past the limit, one rate_limited event saying so, stored and in the admins’ feed', async () => {
    const [prober, payee] = await Promise.all([fromOwnAddress('Pat Prober'), fromOwnAddress('Paid Person')]);

    // Two lookups and a saved payee use up the limit of 3 (saving names the holder, so it counts).
    await lookup(prober.accessToken, unusedAccountNumber()).expect(404);
    await lookup(prober.accessToken, payee.accountNumber).expect(200);
    await t.http().post('/api/v1/payees').set(bearer(prober.accessToken)).send({ accountNumber: payee.accountNumber, nickname: 'Paid' }).expect(201);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await lookup(prober.accessToken, unusedAccountNumber())).status);
    expect(answers).toEqual([429, 429, 429, 429, 429]);
    const refusedSave = await t.http().post('/api/v1/payees').set(bearer(prober.accessToken)).send({ accountNumber: payee.accountNumber, nickname: 'Again' });
    expect(refusedSave.status).toBe(429);
    expect(refusedSave.body).toMatchObject({ code: 'RATE_LIMITED' });

    const stored = await t.sql<{ detail: Record<string, unknown> }>(`select detail from security_events where type = 'rate_limited' and user_id = ?`, [prober.userId]);
    expect(stored).toHaveLength(1);
    expect(stored[0].detail).toEqual({
      limit: 'lookup-user',
      method: 'GET',
      path: '/api/v1/accounts/lookup',
      reason: 'account lookups beyond the limit: probing account numbers for their holders',
      allowed: 3,
      windowS: 60,
    });

    // What an admin sees: the trail, and the same event queued in the outbox for the admins' live feed (`security.event`;
    // the relay that numbers and pushes it runs in the worker, see libs/outbox and test/e2e/rate-limits-scaleout).
    const admin = await fromAdminAddress();
    const trail = (await t.http().get('/api/v1/admin/security-events').query({ type: 'rate_limited', limit: 100 }).set(bearer(admin)).expect(200)).body.items as SecurityEventView[];
    const [shown] = trail.filter((event) => event.userId === prober.userId);
    expect(shown.detail).toEqual(stored[0].detail);
    const pushed = await t.sql<{ payload: SecurityEventView }>(`select payload from outbox_events where recipient = 'role:admin' and type = 'security.event' and payload->>'userId' = ?`, [prober.userId]);
    expect(pushed.map((row) => row.payload)).toEqual([shown]);
  });

  /** The platform admin, signed in from an address of its own. */
  async function fromAdminAddress(): Promise<string> {
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const tokens = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: t.config.adminEmail, password: t.config.adminPassword }).expect(200);
    return tokens.body.accessToken as string;
  }
});
