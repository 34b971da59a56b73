import { REFRESH_COOKIE_NAME } from '@bank/contracts/auth';
import { bearer, TestApp, TEST_PASSWORD, uniqueEmail } from '../../../test/support/test-app';

describe('lockout and the security trail (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) => t.http().post('/api/v1/auth/login').send({ email, password });
  const eventsOf = (userId: string) =>
    t.sql<{ type: string; detail: Record<string, unknown> }>('select type, detail from security_events where user_id = ? order by id', [userId]);

  // Issue 19 ("lockout as a weapon"): anyone can send five wrong passwords, so a lockout blocks new
  // password sign-ins only; the user's open sessions go on (refresh included). An admin's lock ends them.
  it('5 wrong passwords in a row lock the user out of sign-in: 423 even with the right password, open sessions go on, every failure recorded without the password', async () => {
    const c = await t.newCustomer();
    const before = await t.login(c.email, TEST_PASSWORD);
    for (let i = 1; i <= 4; i++) expect((await login(c.email, `wrong-password-${i}`).expect(401)).body.code).toBe('INVALID_CREDENTIALS');
    expect((await login(c.email, 'wrong-password-5').expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    expect((await login(c.email, TEST_PASSWORD).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    await t.http().get('/api/v1/accounts').set(bearer(before.accessToken)).expect(200);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: before.refreshToken }).expect(200);

    const events = await eventsOf(c.user.id);
    expect(events.map((e) => e.type)).toEqual(['login.failed', 'login.failed', 'login.failed', 'login.failed', 'login.failed', 'account.locked']);
    expect(events[4].detail).toMatchObject({ email: c.email, failedLogins: 5 });
    expect(JSON.stringify(events)).not.toMatch(/wrong-password|correct-horse/);
    const [user] = await t.sql<{ status: string; failed_login_count: number; lock_reason: string }>('select status, failed_login_count, lock_reason from users where id = ?', [c.user.id]);
    expect(user).toEqual({ status: 'locked', failed_login_count: 5, lock_reason: 'too many failed logins' });
    const [{ lock_kind }] = await t.sql<{ lock_kind: string }>('select lock_kind from users where id = ?', [c.user.id]);
    expect(lock_kind).toBe('lockout');
    const pushed = await t.sql<{ type: string; recipient: string }>(
      `select type, recipient from outbox_events where recipient = 'role:admin' and (payload->>'userId' = ? or payload->>'id' = ?) order by id`,
      [c.user.id, c.user.id],
    );
    expect(pushed.map((e) => e.type)).toEqual([...Array(6).fill('security.event'), 'user.locked']);
  });

  it('50 wrong logins at once lock the user exactly once, with one account.locked event', async () => {
    const c = await t.newCustomer();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => login(c.email, `parallel-guess-${i}`)));
    expect(answers.every((a) => a.status === 401 || a.status === 423)).toBe(true);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(4);
    const events = await eventsOf(c.user.id);
    expect(events.filter((e) => e.type === 'account.locked')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(50);
    const [user] = await t.sql<{ status: string; failed_login_count: number }>('select status, failed_login_count from users where id = ?', [c.user.id]);
    expect(user).toEqual({ status: 'locked', failed_login_count: 5 });
  });

  it('a successful login starts the count again', async () => {
    const c = await t.newCustomer();
    for (let i = 0; i < 4; i++) await login(c.email, 'nope-nope-nope').expect(401);
    await login(c.email, TEST_PASSWORD).expect(200);
    for (let i = 0; i < 4; i++) await login(c.email, 'nope-nope-nope').expect(401);
    const answer = await login(c.email, TEST_PASSWORD).expect(200);
    expect(String(answer.headers['set-cookie'])).toContain(REFRESH_COOKIE_NAME);
  });

  it('an unknown email is a login.failed with the email tried; the trail is append-only', async () => {
    const email = uniqueEmail('nobody');
    expect((await login(email, 'whatever-it-is').expect(401)).body.code).toBe('INVALID_CREDENTIALS');
    const [event] = await t.sql<{ id: string; user_id: string | null; detail: Record<string, unknown>; ip: string }>(`select * from security_events where detail->>'email' = ?`, [email]);
    expect(event).toMatchObject({ user_id: null, detail: { email, reason: 'unknown email' } });
    expect(event.ip).toMatch(/127\.0\.0\.1/);
    await expect(t.sql('update security_events set detail = ? where id = ?', ['{}', event.id])).rejects.toThrow(/append-only/);
    await expect(t.sql('delete from security_events where id = ?', [event.id])).rejects.toThrow(/append-only/);
  });

  it('GET /admin/security-events: admins only, newest first, filtered by type, paged by cursor', async () => {
    const [admin, customer, employee] = await Promise.all([t.admin(), t.newCustomer(), t.newStaff('employee')]);
    await t.http().get('/api/v1/admin/security-events').expect(401);
    await t.http().get('/api/v1/admin/security-events').set(bearer(customer.accessToken)).expect(403);
    await t.http().get('/api/v1/admin/security-events').set(bearer(employee.accessToken)).expect(403);
    for (let i = 0; i < 3; i++) await login(customer.email, 'bad-guess-here').expect(401);
    const first = await t.http().get('/api/v1/admin/security-events?type=login.failed&limit=2').set(bearer(admin.accessToken)).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toMatchObject({ type: 'login.failed', userId: customer.user.id, detail: { email: customer.email } });
    expect(Number(first.body.items[0].id)).toBeGreaterThan(Number(first.body.items[1].id));
    const second = await t.http().get(`/api/v1/admin/security-events?type=login.failed&limit=2&cursor=${first.body.nextCursor}`).set(bearer(admin.accessToken)).expect(200);
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
    expect((await t.http().get('/api/v1/admin/security-events?type=bogus').set(bearer(admin.accessToken)).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });
});
