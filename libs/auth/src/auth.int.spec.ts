import { createHmac } from 'node:crypto';
import { REFRESH_COOKIE_NAME } from '@bank/contracts/auth';
import { TestApp, TEST_PASSWORD, uniqueEmail } from '../../../test/support/test-app';

describe('auth (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('register → login → me → refresh → reuse revokes the whole family → logout', async () => {
    const email = uniqueEmail('journey');
    // What registration answers is libs/onboarding's test; here it is the start of a session's life.
    const registered = await t.http().post('/api/v1/auth/register').send({ email, password: TEST_PASSWORD, fullName: 'Jo Journey', pin: '0007' }).expect(201);

    const login = await t.http().post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email } });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toContain(`${REFRESH_COOKIE_NAME}=${login.body.refreshToken}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/api\/v1\/auth/);

    const me = await t.http().get('/api/v1/me').set(bearer(login.body.accessToken)).expect(200);
    expect(me.body).toEqual(registered.body.user);

    const first = login.body.refreshToken as string;
    const rotated = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first }).expect(200);
    expect(rotated.body.refreshToken).not.toBe(first);
    await t.http().get('/api/v1/me').set(bearer(rotated.body.accessToken)).expect(200);

    const second = rotated.body.refreshToken as string;
    const reuse = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first }).expect(401);
    expect(reuse.body.code).toBe('TOKEN_REUSED');
    // The newest token of the family died with it.
    const newest = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: second }).expect(401);
    expect(newest.body.code).toBe('TOKEN_INVALID');

    const again = await t.login(email, TEST_PASSWORD);
    await t.http().post('/api/v1/auth/logout').set(bearer(again.accessToken)).send({ refreshToken: again.refreshToken }).expect(204);
    const afterLogout = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: again.refreshToken }).expect(401);
    expect(afterLogout.body.code).toBe('TOKEN_INVALID');
  });

  it('refreshes from the HttpOnly cookie when the body carries no token', async () => {
    const customer = await t.newCustomer();
    const response = await t.http().post('/api/v1/auth/refresh').set('Cookie', `${REFRESH_COOKIE_NAME}=${customer.refreshToken}`).send({}).expect(200);
    expect(response.body.user.id).toBe(customer.user.id);
    const missing = await t.http().post('/api/v1/auth/refresh').send({}).expect(400);
    expect(missing.body.errors).toEqual([{ path: 'refreshToken', message: expect.any(String) }]);
  });

  it('lets only one of two concurrent rotations of one refresh token win', async () => {
    const customer = await t.newCustomer();
    const results = await Promise.all([1, 2].map(() => t.http().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const loser = results.find((r) => r.status === 401)!;
    expect(loser.body.code).toBe('TOKEN_REUSED');
    const winner = results.find((r) => r.status === 200)!;
    // Reuse revoked the family, the winner's new token included.
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: winner.body.refreshToken }).expect(401);
  });

  it('answers a wrong password and an unknown email alike: 401 INVALID_CREDENTIALS', async () => {
    const customer = await t.newCustomer();
    const wrong = await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: 'not-the-password' }).expect(401);
    const unknown = await t.http().post('/api/v1/auth/login').send({ email: uniqueEmail('ghost'), password: 'not-the-password' }).expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('answers 423 ACCOUNT_LOCKED for a locked user, even with the right password, and stops their refresh', async () => {
    const customer = await t.newCustomer();
    await t.sql(`update users set status = 'locked', locked_at = now() where id = ?`, [customer.user.id]);
    const login = await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password }).expect(423);
    expect(login.body.code).toBe('ACCOUNT_LOCKED');
    const refresh = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken }).expect(423);
    expect(refresh.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('accepts only a valid access JWT: not a refresh token, a forged signature, alg none, an edited role, an expired one, or another issuer', async () => {
    const customer = await t.newCustomer();
    const [header, payload] = customer.accessToken.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const sign = (h: string, p: string, secret: string) => createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
    const otherIssuer = b64({ ...claims, iss: 'someone-else' });
    const refreshTyp = b64({ ...claims, typ: 'refresh' });
    const promoted = b64({ ...claims, role: 'admin' });
    const candidates = [
      `${header}.${promoted}.${customer.accessToken.split('.')[2]}`, // role edited, the old signature kept
      customer.refreshToken,
      `${header}.${payload}.${sign(header, payload, 'a-guessed-secret-that-is-wrong-000000')}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${header}.${otherIssuer}.${sign(header, otherIssuer, t.config.jwtSecret)}`,
      `${header}.${refreshTyp}.${sign(header, refreshTyp, t.config.jwtSecret)}`,
      `${header}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })}.${sign(header, b64({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }), t.config.jwtSecret)}`,
    ];
    for (const token of candidates) {
      const response = await t.http().get('/api/v1/me').set(bearer(token)).expect(401);
      expect(response.body.code).toBe('TOKEN_INVALID');
    }
    const none = await t.http().get('/api/v1/me').expect(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('stores passwords and PINs as Argon2id hashes and refresh tokens only as digests', async () => {
    const customer = await t.newCustomer({ pin: '9876' });
    const [user] = await t.sql<{ password_hash: string }>('select password_hash from users where id = ?', [customer.user.id]);
    const [card] = await t.sql<{ pin_hash: string }>('select pin_hash from cards where owner_id = ?', [customer.user.id]);
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(card.pin_hash).toMatch(/^\$argon2id\$/);
    const tokens = await t.sql<{ token_hash: string }>('select token_hash from refresh_tokens where user_id = ?', [customer.user.id]);
    expect(tokens.length).toBeGreaterThan(0);
    for (const row of tokens) expect(row.token_hash).not.toBe(customer.refreshToken);
  });

  it('lets only an admin create staff: 401 anonymous, 403 customer and employee, 201 admin', async () => {
    const body = () => ({ email: uniqueEmail('staff'), password: TEST_PASSWORD, fullName: 'New Staff', role: 'employee' });
    await t.http().post('/api/v1/admin/staff').send(body()).expect(401);
    const customer = await t.newCustomer();
    const byCustomer = await t.http().post('/api/v1/admin/staff').set(bearer(customer.accessToken)).send(body()).expect(403);
    expect(byCustomer.body.code).toBe('FORBIDDEN');
    const employee = await t.newStaff('employee');
    const byEmployee = await t.http().post('/api/v1/admin/staff').set(bearer(employee.accessToken)).send(body()).expect(403);
    expect(byEmployee.body.code).toBe('FORBIDDEN');
    const admin = await t.admin();
    const made = body();
    const created = await t.http().post('/api/v1/admin/staff').set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).send({ ...made, role: 'admin' }).expect(201);
    expect(created.body).toMatchObject({ email: made.email, role: 'admin', status: 'active' });
    const login = await t.login(made.email, TEST_PASSWORD);
    expect(login.user.role).toBe('admin');
  });

  it('bootstraps the admin from ADMIN_EMAIL once, however many api processes start', async () => {
    const second = await TestApp.start();
    try {
      const rows = await t.sql('select count(*)::int as n from users where email = ?', [t.config.adminEmail]);
      expect(rows[0].n).toBe(1);
    } finally {
      await second.close();
    }
  });
});
