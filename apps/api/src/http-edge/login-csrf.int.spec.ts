import { REFRESH_COOKIE_NAME } from '@bank/contracts/auth';
import { bearer, TestApp, TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../../../../test/support/test-app';
import { SIGN_IN_ROUTES } from './sign-in-origin';

const ALLOWED_ORIGIN = 'https://app.bank.example';

/**
 * Login CSRF (issue 19): a page elsewhere can neither post a form the api reads nor sign the
 * browser in with JSON from its own origin. Every refusal sets no cookie and changes nothing.
 */
describe('JSON-only bodies and sign-in Origin (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ CORS_ORIGINS: ALLOWED_ORIGIN });
  });
  afterAll(() => t.close());

  const countOf = async (query: string, params: unknown[]) => (await t.sql<{ n: number }>(query, params))[0].n;
  const refreshTokensOf = (userId: string) => countOf('select count(*)::int as n from refresh_tokens where user_id = ?', [userId]);
  const usersWith = (email: string) => countOf('select count(*)::int as n from users where email = ?', [email]);
  const hasRefreshCookie = (headers: Record<string, unknown>) => [headers['set-cookie'] ?? []].flat().some((cookie) => String(cookie).startsWith(`${REFRESH_COOKIE_NAME}=`));

  it('form-encoded and text/plain bodies → 415 UNSUPPORTED_MEDIA_TYPE on login, register and transfers: no cookie, nothing written', async () => {
    const alice = await t.newFundedCustomer(10_000);
    const bob = await t.newCustomer();
    const tokensBefore = await refreshTokensOf(alice.user.id);
    const email = uniqueEmail('form');
    const bodies = {
      '/api/v1/auth/login': { email: alice.email, password: TEST_PASSWORD },
      '/api/v1/auth/register': { email, password: TEST_PASSWORD, fullName: 'Form Post', pin: TEST_PIN },
      '/api/v1/transfers': { fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: '100' },
    };
    for (const [path, fields] of Object.entries(bodies)) {
      const encoded = {
        'application/x-www-form-urlencoded': new URLSearchParams(fields).toString(),
        // What an HTML form with enctype="text/plain" sends: name=value lines, or a JSON-looking name.
        'text/plain': `${JSON.stringify(fields).slice(0, -1)}, "x": "=" }`,
        'text/plain;charset=UTF-8': JSON.stringify(fields),
        'multipart/form-data; boundary=b': `--b\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}\r\n--b--\r\n`,
      };
      for (const [type, body] of Object.entries(encoded)) {
        const response = await t.http().post(path).set(bearer(alice.accessToken)).set('Content-Type', type).send(body);
        expect({ path, type, status: response.status, code: response.body.code }).toEqual({ path, type, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(hasRefreshCookie(response.headers)).toBe(false);
      }
    }
    expect(await refreshTokensOf(alice.user.id)).toBe(tokensBefore);
    expect(await usersWith(email)).toBe(0);
    expect(await t.balanceOf(alice.accountId)).toBe(10_000);
    expect(await t.balanceOf(bob.accountId)).toBe(0);
  });

  it('JSON in UTF-8 is read with or without a charset; a JSON body declared in another charset is 415', async () => {
    const c = await t.newCustomer();
    const json = JSON.stringify({ email: c.email, password: TEST_PASSWORD });
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8']) {
      await t.http().post('/api/v1/auth/login').set('Content-Type', type).send(json).expect(200);
    }
    const tokensBefore = await refreshTokensOf(c.user.id);
    for (const type of ['application/json; charset=utf-16', 'application/json; charset=iso-8859-1']) {
      const response = await t.http().post('/api/v1/auth/login').set('Content-Type', type).send(json).expect(415);
      expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      expect(hasRefreshCookie(response.headers)).toBe(false);
    }
    expect(await refreshTokensOf(c.user.id)).toBe(tokensBefore);
  });

  it('a POST without a body needs no Content-Type', async () => {
    const c = await t.newCustomer();
    const filed = await t.http().post('/api/v1/service-requests').set(bearer(c.accessToken)).send({ type: 'account_freeze', accountId: c.accountId, details: {} }).expect(202);
    const cancelled = await t.http().post(`/api/v1/service-requests/${filed.body.id}/cancel`).set(bearer(c.accessToken)).expect(200);
    expect(cancelled.request.getHeader('Content-Type')).toBeUndefined();
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('JSON sign-in from a foreign Origin → 403 FORBIDDEN: no cookie, no token, no failed login counted, no account created', async () => {
    const c = await t.newCustomer();
    const tokensBefore = await refreshTokensOf(c.user.id);
    for (const origin of ['https://evil.example', 'null', `${t.url}.evil.example`, 'http://127.0.0.1:1']) {
      const login = await t.http().post('/api/v1/auth/login').set('Origin', origin).send({ email: c.email, password: TEST_PASSWORD });
      expect({ origin, status: login.status, code: login.body.code }).toEqual({ origin, status: 403, code: 'FORBIDDEN' });
      expect(login.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(hasRefreshCookie(login.headers)).toBe(false);
      const wrong = await t.http().post('/api/v1/auth/login').set('Origin', origin).send({ email: c.email, password: 'wrong-password' });
      expect(wrong.status).toBe(403);
    }
    expect(await refreshTokensOf(c.user.id)).toBe(tokensBefore);
    const [user] = await t.sql<{ failed_login_count: number }>('select failed_login_count from users where id = ?', [c.user.id]);
    expect(user.failed_login_count).toBe(0);

    const email = uniqueEmail('csrf');
    await t.http().post('/api/v1/auth/register').set('Origin', 'https://evil.example').send({ email, password: TEST_PASSWORD, fullName: 'Csrf', pin: TEST_PIN }).expect(403);
    expect(await usersWith(email)).toBe(0);

    const cookie = `${REFRESH_COOKIE_NAME}=${c.refreshToken}`;
    const refresh = await t.http().post('/api/v1/auth/refresh').set('Origin', 'https://evil.example').set('Cookie', cookie).send({}).expect(403);
    expect(hasRefreshCookie(refresh.headers)).toBe(false);
    // The refused refresh did not spend the token: it still rotates once.
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: c.refreshToken }).expect(200);
  });

  it('every sign-in route the api registers is covered (login, register, refresh, and mfa/verify once it exists)', async () => {
    const signIns = t.registeredRoutes.filter((route) => route.method === 'POST' && SIGN_IN_ROUTES.has(route.url)).map((route) => route.url);
    expect(signIns).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh']));
    for (const url of signIns) {
      const response = await t.http().post(url).set('Origin', 'https://evil.example').send({});
      expect({ url, status: response.status }).toEqual({ url, status: 403 });
    }
  });

  it('the same origin, an origin on CORS_ORIGINS, and no Origin at all sign in as before', async () => {
    const c = await t.newCustomer();
    for (const origin of [t.url, ALLOWED_ORIGIN, undefined]) {
      const request = t.http().post('/api/v1/auth/login');
      if (origin) request.set('Origin', origin);
      const response = await request.send({ email: c.email, password: TEST_PASSWORD });
      expect({ origin, status: response.status }).toEqual({ origin, status: 200 });
      expect(hasRefreshCookie(response.headers)).toBe(true);
    }
    // Other routes are not Origin-checked here (CORS and bearer tokens govern them).
    await t.http().get('/api/v1/me').set('Origin', 'https://evil.example').set(bearer(c.accessToken)).expect(200);
  });
});
