import { randomInt } from 'node:crypto';
import type request from 'supertest';
import type { TokenResponse } from '@bank/contracts/auth';
import { bearer, TestApp, TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../../../../test/support/test-app';

/** Small limits, so each is reached in a few requests; every scenario comes from its own IPs. */
const LIMITS = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_LOGIN_PER_IP: '3/60',
  RATE_LIMIT_LOGIN_PER_EMAIL: '2/60',
  RATE_LIMIT_REGISTER_PER_IP: '2/60',
  RATE_LIMIT_REGISTER_PER_EMAIL: '1/60',
  RATE_LIMIT_REFRESH_PER_IP: '2/60',
  RATE_LIMIT_MONEY_PER_USER: '3/60',
  RATE_LIMIT_ADMIN_PER_ADMIN: '2/60',
};

describe('rate limits (HTTP, limits counted in real Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(LIMITS);
  });
  afterAll(() => t.close());

  /** A client address nobody else in this run uses (the api trusts X-Forwarded-For from loopback). */
  const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const login = (email: string, password: string, ip: string) => t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });
  const register = (email: string, ip: string) =>
    t.http().post('/api/v1/auth/register').set('X-Forwarded-For', ip).send({ email, password: TEST_PASSWORD, fullName: 'Rate Limited', pin: TEST_PIN });
  const expectRateLimited = (response: request.Response) => {
    expect(response.status).toBe(429);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };
  /** A customer registered and signed in from an address of their own. */
  const customer = async () => {
    const email = uniqueEmail('limited');
    const ip = freshIp();
    const registered = await register(email, ip).expect(201);
    const tokens = (await login(email, TEST_PASSWORD, ip).expect(200)).body as TokenResponse;
    return { email, ip, userId: registered.body.user.id as string, accountId: registered.body.account.id as string, accountNumber: registered.body.account.number as string, tokens };
  };
  const rateLimitedEvents = () => t.sql<{ user_id: string | null; ip: string; detail: Record<string, unknown> }>(`select user_id, ip, detail from security_events where type = 'rate_limited' order by id`);

  it('login per IP: the 4th attempt from one address is 429 with Retry-After, whatever the emails; another address is unaffected', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(uniqueEmail('probe'), 'some-password', ip)).status).toBe(401);
    expectRateLimited(await login(uniqueEmail('probe'), 'some-password', ip));
    expect((await login(uniqueEmail('probe'), 'some-password', freshIp())).status).toBe(401);
  });

  it('login per IP over IPv6: a neighbour in the same /64 shares the limit, the next /64 does not; an IPv4-mapped address is its IPv4 address', async () => {
    const prefix = `2001:db8:${randomInt(0x10000).toString(16)}:${randomInt(0x10000).toString(16)}`;
    for (let i = 1; i <= 3; i++) expect((await login(uniqueEmail('probe'), 'some-password', `${prefix}::${i}`)).status).toBe(401);
    expectRateLimited(await login(uniqueEmail('probe'), 'some-password', `${prefix}:ffff:ffff:ffff:fffe`));
    const [first, second] = prefix.split(':').slice(2);
    const nextPrefix = `2001:db8:${first}:${(parseInt(second, 16) ^ 1).toString(16)}`;
    expect((await login(uniqueEmail('probe'), 'some-password', `${nextPrefix}::1`)).status).toBe(401);

    const ipv4 = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(uniqueEmail('probe'), 'some-password', i % 2 ? `::ffff:${ipv4}` : ipv4)).status).toBe(401);
    expectRateLimited(await login(uniqueEmail('probe'), 'some-password', `::ffff:${ipv4}`));
  });

  it('login per email: the 3rd attempt on one email is 429 from any address — even with the right password — and the refused ones never reach the password check', async () => {
    const c = await customer();
    const failedBefore = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'login.failed' and user_id = ?`, [c.userId]);
    expect((await login(c.email, 'wrong-password-1', freshIp())).status).toBe(401);
    expectRateLimited(await login(c.email.toUpperCase(), TEST_PASSWORD, freshIp()));
    expectRateLimited(await login(` ${c.email} `, 'wrong-password-2', freshIp()));
    const failedAfter = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'login.failed' and user_id = ?`, [c.userId]);
    expect(failedAfter[0].n - failedBefore[0].n).toBe(1);
    const [user] = await t.sql<{ failed_login_count: number }>('select failed_login_count from users where id = ?', [c.userId]);
    expect(user.failed_login_count).toBe(1);
  });

  it('a flood is one sampled rate_limited event per limit and tracker, with the IP and the email tried', async () => {
    const email = uniqueEmail('flooded');
    const before = (await rateLimitedEvents()).length;
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push((await login(email, `guess-${i}`, freshIp())).status);
    expect(answers).toEqual([401, 401, ...Array(8).fill(429)]);
    const events = (await rateLimitedEvents()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0].detail).toEqual({ limit: 'login-email', method: 'POST', path: '/api/v1/auth/login', email });
    expect(events[0].ip).toMatch(/^10\./);
    const pushed = await t.sql<{ n: number }>(`select count(*)::int as n from outbox_events where recipient = 'role:admin' and type = 'security.event' and payload->>'type' = 'rate_limited' and payload->'detail'->>'email' = ?`, [email]);
    expect(pushed[0].n).toBe(1);
  });

  it('register per IP and per email: refused with nothing created', async () => {
    const ip = freshIp();
    await register(uniqueEmail('reg'), ip).expect(201);
    await register(uniqueEmail('reg'), ip).expect(201);
    const third = uniqueEmail('reg');
    expectRateLimited(await register(third, ip));
    const email = uniqueEmail('reg-twice');
    await register(email, freshIp()).expect(201);
    expectRateLimited(await register(email, freshIp()));
    const users = await t.sql<{ n: number }>('select count(*)::int as n from users where email = ? or email = ?', [third, email]);
    expect(users[0].n).toBe(1);
  });

  it('refresh per IP', async () => {
    const c = await customer();
    const ip = freshIp();
    const first = await t.http().post('/api/v1/auth/refresh').set('X-Forwarded-For', ip).send({ refreshToken: c.tokens.refreshToken }).expect(200);
    const second = await t.http().post('/api/v1/auth/refresh').set('X-Forwarded-For', ip).send({ refreshToken: first.body.refreshToken }).expect(200);
    expectRateLimited(await t.http().post('/api/v1/auth/refresh').set('X-Forwarded-For', ip).send({ refreshToken: second.body.refreshToken }));
    // The refused refresh did not spend the token: it still works from elsewhere.
    await t.http().post('/api/v1/auth/refresh').set('X-Forwarded-For', freshIp()).send({ refreshToken: second.body.refreshToken }).expect(200);
  });

  it('money POSTs per user, under concurrency: of 10 deposits at once exactly 3 move money, 7 are 429 with no row; other users are unaffected', async () => {
    const [alice, bob] = await Promise.all([customer(), customer()]);
    const deposit = (who: { accountId: string; tokens: TokenResponse }, key: string) =>
      t.http().post(`/api/v1/accounts/${who.accountId}/deposits`).set(bearer(who.tokens.accessToken)).set('Idempotency-Key', key).send({ amount: 700 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => deposit(alice, `burst-${i}`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(7);
    refused.forEach(expectRateLimited);
    expect(await t.balanceOf(alice.accountId)).toBe(2_100);
    const [rows] = await t.sql<{ entries: number; keys: number }>(
      `select (select count(*)::int from ledger_entries where account_id = ?) as entries, (select count(*)::int from idempotency_keys where user_id = ?) as keys`,
      [alice.accountId, alice.userId],
    );
    expect(rows).toEqual({ entries: 3, keys: 3 });
    // Transfers count against the same budget.
    const transfer = await t.http().post('/api/v1/transfers').set(bearer(alice.tokens.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1 });
    expectRateLimited(transfer);
    await deposit(bob, 'bob-1').expect(201);
    const admin = (await login(t.config.adminEmail, t.config.adminPassword, freshIp()).expect(200)).body as TokenResponse;
    expect((await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200)).body.balanced).toBe(true);
  });

  it('admin actions per admin: the 3rd in the window is 429 and changes nothing', async () => {
    const admin = (await login(t.config.adminEmail, t.config.adminPassword, freshIp()).expect(200)).body as TokenResponse;
    const [a, b, c] = await Promise.all([customer(), customer(), customer()]);
    const lock = (userId: string) => t.http().post(`/api/v1/admin/users/${userId}/lock`).set(bearer(admin.accessToken)).send({ reason: 'rate limit test' });
    await lock(a.userId).expect(200);
    await lock(b.userId).expect(200);
    expectRateLimited(await lock(c.userId));
    const [user] = await t.sql<{ status: string }>('select status from users where id = ?', [c.userId]);
    expect(user.status).toBe('active');
    // Reads are not admin actions.
    await t.http().get('/api/v1/admin/users?status=locked').set(bearer(admin.accessToken)).expect(200);
  });
});
