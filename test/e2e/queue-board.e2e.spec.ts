import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { JWT_ALGORITHM, JWT_ISSUER, type AccessTokenClaims } from '@bank/auth/access-token';
import { REQUEST_QUEUES } from '@bank/requests/request-jobs';
import { bearer, type TestCustomer, type TestStaff } from '../support/test-app';
import { LiveStack } from '../support/live-stack';

const BOARD_COOKIE = 'bankingcore_queue_board';

/** Bull Board at /admin/queues on the built api process: admins only, by bearer token or by the board cookie. */
describe('queue board (Bull Board) on the built api', () => {
  let stack: LiveStack;
  let api: string;
  let customer: TestCustomer;
  let employee: TestStaff;
  let admin: TestStaff;
  beforeAll(async () => {
    stack = await LiveStack.start('queue-board');
    api = await stack.startApi();
    [customer, employee, admin] = await Promise.all([stack.app.newCustomer(), stack.app.newStaff('employee'), stack.app.newStaff('admin')]);
  });
  afterAll(() => stack.stop());

  const http = () => request(api);
  const openSession = (token: string) => http().post('/api/v1/admin/queues/session').set(bearer(token));
  const cookieOf = (response: request.Response): string => {
    const cookies = (response.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    const cookie = cookies.find((c) => c.startsWith(`${BOARD_COOKIE}=`));
    if (!cookie) throw new Error(`no ${BOARD_COOKIE} cookie in ${JSON.stringify(cookies)}`);
    return cookie;
  };

  it.each(['/admin/queues', '/admin/queues/api/queues'])('%s: anonymous 401, customer and employee 403, as problem documents', async (path) => {
    const anonymous = await http().get(path).expect(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anonymous.body).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
    for (const who of [customer, employee]) {
      const refused = await http().get(path).set(bearer(who.accessToken)).expect(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
  });

  it('an admin with a bearer token gets the page, under the api CSP (it has no inline script to allow)', async () => {
    const page = await http().get('/admin/queues').set(bearer(admin.accessToken)).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    const scripts = page.text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toMatch(/\bsrc="(?!https?:|\/\/)[^"]+"|type="application\/json"/);
  });

  it('the board JSON api lists every request queue for an admin', async () => {
    const answer = await http().get('/admin/queues/api/queues').set(bearer(admin.accessToken)).expect(200);
    const names = (answer.body.queues as Array<{ name: string }>).map((queue) => queue.name).sort();
    expect(names).toEqual(Object.values(REQUEST_QUEUES).sort());
  });

  it('POST /api/v1/admin/queues/session: 401 anonymous, 403 customer and employee, as problem documents', async () => {
    expect((await http().post('/api/v1/admin/queues/session').expect(401)).body.code).toBe('TOKEN_INVALID');
    for (const who of [customer, employee]) {
      const refused = await openSession(who.accessToken).expect(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toBe('FORBIDDEN');
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
  });

  it('an admin opens the board from a browser link: the session cookie alone is enough for the page and its api', async () => {
    const cookie = cookieOf(await openSession(admin.accessToken).expect(204));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/admin\/queues(;|$)/);
    expect(cookie).not.toMatch(/; Secure/);
    const cookiePair = cookie.split(';')[0];
    const page = await http().get('/admin/queues').set('Cookie', cookiePair).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const answer = await http().get('/admin/queues/api/queues').set('Cookie', cookiePair).expect(200);
    expect((answer.body.queues as unknown[]).length).toBe(Object.values(REQUEST_QUEUES).length);
    expect((await http().get('/admin/queues/api/queues').set('Cookie', `${BOARD_COOKIE}=forged`).expect(401)).body.code).toBe('TOKEN_INVALID');
  });

  it('the cookie lives exactly as long as the access token it carries has left', async () => {
    const { sid } = JSON.parse(Buffer.from(admin.accessToken.split('.')[1], 'base64url').toString()) as { sid: string };
    const issuedAtMs = Date.now();
    const claims: AccessTokenClaims = { sub: admin.user.id, role: 'admin', typ: 'access', sid, iat: Math.floor(issuedAtMs / 1000), iat_ms: issuedAtMs };
    const shortLived = await stack.app.app.get(JwtService).signAsync(claims, { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, expiresIn: 60 });
    const cookie = cookieOf(await openSession(shortLived).expect(204));
    const maxAgeS = Number(/; Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAgeS).toBeGreaterThan(50);
    expect(maxAgeS).toBeLessThanOrEqual(60);
    expect(cookie.split(';')[0]).toBe(`${BOARD_COOKIE}=${shortLived}`);
  });
});
