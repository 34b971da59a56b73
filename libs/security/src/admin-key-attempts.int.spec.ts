import { randomInt } from 'node:crypto';
import { bearer, TestApp, TEST_PASSWORD, uniqueEmail, type TestStaff } from '../../../test/support/test-app';

/**
 * Admin minting (issue 19): creating an admin needs the `X-Admin-Key`, and wrong keys are counted
 * per admin, per target and per address, so neither minted admins nor spreading guesses over
 * admins, targets or addresses buys more than ADMIN_KEY_FAILURES_MAX guesses in the window.
 */
describe('the admin key: creating admins, and the wrong-key throttle in every scope (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  /** An address nobody else in this run uses (the api trusts X-Forwarded-For from loopback). */
  const freshIp = () => `10.${randomInt(100, 200)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const newStaff = (by: TestStaff, role: 'employee' | 'admin', options: { email?: string; key?: string; ip?: string } = {}) => {
    const call = t
      .http()
      .post('/api/v1/admin/staff')
      .set(bearer(by.accessToken))
      .set('X-Forwarded-For', options.ip ?? freshIp());
    if (options.key !== undefined) call.set('X-Admin-Key', options.key);
    return call.send({ email: options.email ?? uniqueEmail(`new-${role}`), password: TEST_PASSWORD, fullName: `New ${role}`, role });
  };
  const unlock = (by: TestStaff, userId: string, key: string, ip: string) =>
    t.http().post(`/api/v1/admin/users/${userId}/unlock`).set(bearer(by.accessToken)).set('X-Forwarded-For', ip).set('X-Admin-Key', key);
  const usersWith = async (email: string) => (await t.sql<{ n: number }>('select count(*)::int as n from users where email = ?', [email]))[0].n;
  const lockedCustomer = async () => {
    const c = await t.newCustomer();
    const admin = await t.admin();
    await t.http().post(`/api/v1/admin/users/${c.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'admin key test' }).expect(200);
    return c;
  };
  /** `count` wrong keys, one after another, each from `ip()` by `by()` on `email()`: each is 403. */
  const wrongMints = async (count: number, by: () => TestStaff, email: () => string, ip: () => string) => {
    for (let i = 0; i < count; i++) {
      const response = await newStaff(by(), 'admin', { email: email(), key: `guess-${i}`, ip: ip() });
      expect({ i, status: response.status, code: response.body.code }).toEqual({ i, status: 403, code: 'ADMIN_KEY_INVALID' });
    }
  };

  it('an admin needs the key to create an admin (missing or wrong → 403 ADMIN_KEY_INVALID, no user, the failure in the trail); an employee needs none', async () => {
    const admin = await t.newStaff('admin');
    const email = uniqueEmail('minted');
    const ip = freshIp();
    expect((await newStaff(admin, 'admin', { email, ip }).expect(403)).body.code).toBe('ADMIN_KEY_INVALID');
    expect((await newStaff(admin, 'admin', { email, ip, key: 'not-the-admin-key' }).expect(403)).body.code).toBe('ADMIN_KEY_INVALID');
    expect(await usersWith(email)).toBe(0);
    const failures = await t.sql<{ ip: string; detail: Record<string, unknown> }>(`select ip, detail from security_events where type = 'admin_key.failed' and user_id = ? order by id`, [admin.user.id]);
    expect(failures).toEqual([
      { ip, detail: { targetEmail: email, failuresInWindow: 1 } },
      { ip, detail: { targetEmail: email, failuresInWindow: 2 } },
    ]);
    expect(JSON.stringify(failures)).not.toContain('not-the-admin-key');

    const created = await newStaff(admin, 'admin', { email, ip, key: t.config.adminKey }).expect(201);
    expect(created.body).toMatchObject({ email, role: 'admin' });
    await newStaff(admin, 'employee').expect(201);
  });

  it('per admin: 5 wrong keys suspend that admin’s admin creation, the right key included; an admin it minted before has no guesses of its own to add from there', async () => {
    const [guesser, minted] = await Promise.all([t.newStaff('admin'), t.newStaff('admin')]);
    await wrongMints(5, () => guesser, () => uniqueEmail('per-admin'), freshIp);
    const suspended = await newStaff(guesser, 'admin', { key: t.config.adminKey }).expect(429);
    expect(suspended.body).toMatchObject({ code: 'RATE_LIMITED', detail: expect.stringMatching(/this admin/) });
    expect(Number(suspended.headers['retry-after'])).toBeGreaterThan(500);
    // The guesser's unlocking is suspended too: one key, one count.
    await unlock(guesser, (await lockedCustomer()).user.id, t.config.adminKey, freshIp()).expect(429);
    await newStaff(minted, 'admin', { key: t.config.adminKey }).expect(201);
  });

  it('per target: 5 wrong keys for one new email, by five admins from five addresses, suspend creating that email; another email is unaffected', async () => {
    const admins = await Promise.all(Array.from({ length: 6 }, () => t.newStaff('admin')));
    const email = uniqueEmail('per-target');
    let next = 0;
    await wrongMints(5, () => admins[next++], () => email, freshIp);
    const suspended = await newStaff(admins[5], 'admin', { email, key: t.config.adminKey }).expect(429);
    expect(suspended.body.detail).toMatch(/this email/);
    expect(await usersWith(email)).toBe(0);
    await newStaff(admins[5], 'admin', { key: t.config.adminKey }).expect(201);
  });

  it('per target: 5 wrong unlock keys on one user, by five admins from five addresses, suspend unlocking that user; another user is unaffected', async () => {
    const [admins, victim, other] = await Promise.all([Promise.all(Array.from({ length: 6 }, () => t.newStaff('admin'))), lockedCustomer(), lockedCustomer()]);
    for (let i = 0; i < 5; i++) expect((await unlock(admins[i], victim.user.id, `guess-${i}`, freshIp())).status).toBe(403);
    const suspended = await unlock(admins[5], victim.user.id, t.config.adminKey, freshIp()).expect(429);
    expect(suspended.body.detail).toMatch(/this user/);
    await unlock(admins[5], other.user.id, t.config.adminKey, freshIp()).expect(200);
  });

  it('per address: 5 wrong keys from one address, by five admins on five targets, suspend every admin-key action from it; other addresses are unaffected', async () => {
    const admins = await Promise.all(Array.from({ length: 6 }, () => t.newStaff('admin')));
    const ip = freshIp();
    let next = 0;
    await wrongMints(5, () => admins[next++], () => uniqueEmail('per-address'), () => ip);
    const suspended = await newStaff(admins[5], 'admin', { key: t.config.adminKey, ip }).expect(429);
    expect(suspended.body.detail).toMatch(/this address/);
    await unlock(admins[5], (await lockedCustomer()).user.id, t.config.adminKey, ip).expect(429);
    await newStaff(admins[5], 'admin', { key: t.config.adminKey, ip: freshIp() }).expect(201);
  });
});
