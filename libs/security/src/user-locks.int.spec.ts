import { bearer, TestApp, TEST_PASSWORD } from '../../../test/support/test-app';

describe('admins lock and unlock users; unlocking needs the admin key (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const lockOut = async (email: string) => {
    for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email, password: `lockout-guess-${i}` });
  };
  /** From `ip` (the api trusts X-Forwarded-For from loopback): wrong keys also suspend their address, so guessing tests use addresses of their own. */
  const unlock = (adminToken: string, userId: string, key?: string, ip = '127.0.0.1') => {
    const call = t.http().post(`/api/v1/admin/users/${userId}/unlock`).set(bearer(adminToken)).set('X-Forwarded-For', ip);
    return key === undefined ? call : call.set('X-Admin-Key', key);
  };

  it('unlock needs an admin JWT and the right X-Admin-Key; a wrong or missing key is 403 and a security event; then the user signs in', async () => {
    const [admin, customer, employee] = await Promise.all([t.newStaff('admin'), t.newCustomer(), t.newStaff('employee')]);
    await lockOut(customer.email);
    const locked = await t.http().get('/api/v1/admin/users?status=locked&limit=100').set(bearer(admin.accessToken)).expect(200);
    expect(locked.body.items.map((u: { id: string }) => u.id)).toContain(customer.user.id);

    await t.http().post(`/api/v1/admin/users/${customer.user.id}/unlock`).set('X-Admin-Key', t.config.adminKey).expect(401);
    await unlock(employee.accessToken, customer.user.id, t.config.adminKey).expect(403);
    expect((await unlock(admin.accessToken, customer.user.id, undefined, '10.77.1.1').expect(403)).body.code).toBe('ADMIN_KEY_INVALID');
    expect((await unlock(admin.accessToken, customer.user.id, 'not-the-admin-key', '10.77.1.1').expect(403)).body.code).toBe('ADMIN_KEY_INVALID');
    await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: TEST_PASSWORD }).expect(423);

    const unlocked = await unlock(admin.accessToken, customer.user.id, t.config.adminKey).expect(200);
    expect(unlocked.body).toMatchObject({ id: customer.user.id, status: 'active' });
    await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: TEST_PASSWORD }).expect(200);

    const adminEvents = await t.sql<{ type: string; detail: Record<string, unknown> }>('select type, detail from security_events where user_id = ? order by id', [admin.user.id]);
    expect(adminEvents.map((e) => e.type)).toEqual(['staff.created', 'admin_key.failed', 'admin_key.failed']);
    expect(JSON.stringify(adminEvents)).not.toContain('not-the-admin-key');
    const [unlockEvent] = await t.sql<{ detail: Record<string, unknown> }>(`select detail from security_events where user_id = ? and type = 'account.unlocked'`, [customer.user.id]);
    expect(unlockEvent.detail).toEqual({ by: admin.user.id });
    const pushed = await t.sql<{ n: number }>(`select count(*)::int as n from outbox_events where type = 'user.unlocked' and payload->>'id' = ?`, [customer.user.id]);
    expect(pushed[0].n).toBe(1);
  });

  it('5 wrong keys in 10 minutes suspend that admin’s unlocking (429 with Retry-After), even with the right key; other admins elsewhere still unlock other users', async () => {
    const [guesser, other, customer, another] = await Promise.all([t.newStaff('admin'), t.newStaff('admin'), t.newCustomer(), t.newCustomer()]);
    await Promise.all([lockOut(customer.email), lockOut(another.email)]);
    const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => unlock(guesser.accessToken, customer.user.id, `guess-${i}`, '10.77.2.1')));
    expect(guesses.filter((g) => g.status === 403)).toHaveLength(5);
    expect(guesses.filter((g) => g.status === 429)).toHaveLength(3);
    const suspended = await unlock(guesser.accessToken, another.user.id, t.config.adminKey, '10.77.2.2').expect(429);
    expect(suspended.body.code).toBe('RATE_LIMITED');
    expect(suspended.body.detail).toMatch(/this admin/);
    expect(Number(suspended.headers['retry-after'])).toBeGreaterThan(500);
    expect(Number(suspended.headers['retry-after'])).toBeLessThanOrEqual(600);
    const [{ n }] = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'admin_key.failed' and user_id = ?`, [guesser.user.id]);
    expect(n).toBe(5);
    await unlock(other.accessToken, another.user.id, t.config.adminKey, '10.77.2.3').expect(200);
  });

  it('an admin locks a user with a reason: login 423, the lock in the trail with who; an admin cannot lock themselves', async () => {
    const [admin, customer] = await Promise.all([t.newStaff('admin'), t.newCustomer()]);
    await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(admin.accessToken)).send({}).expect(400);
    const locked = await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'card reported stolen' }).expect(200);
    expect(locked.body).toMatchObject({ id: customer.user.id, status: 'locked' });
    await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: TEST_PASSWORD }).expect(423);
    const [event] = await t.sql<{ detail: Record<string, unknown> }>(`select detail from security_events where user_id = ? and type = 'account.locked'`, [customer.user.id]);
    expect(event.detail).toEqual({ by: admin.user.id, reason: 'card reported stolen' });
    // The locked customer's own token is refused outright now (423); another customer's is 403.
    expect((await t.http().get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    const bystander = await t.newCustomer();
    await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(bystander.accessToken)).send({ reason: 'x' }).expect(403);
    await t.http().post(`/api/v1/admin/users/${admin.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'oops' }).expect(409);
    await t.http().post('/api/v1/admin/users/00000000-0000-4000-8000-00000000dead/lock').set(bearer(admin.accessToken)).send({ reason: 'nobody' }).expect(404);
  });

  it('an api process started during an admin’s lock refuses the user’s older tokens too (tokens_valid_after, read from the database)', async () => {
    const [admin, customer] = await Promise.all([t.newStaff('admin'), t.newCustomer()]);
    await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'test' }).expect(200);
    const restarted = await TestApp.start();
    try {
      const refused = await restarted.http().get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(423);
      expect(refused.body.code).toBe('ACCOUNT_LOCKED');
    } finally {
      await restarted.close();
    }
  });
});
