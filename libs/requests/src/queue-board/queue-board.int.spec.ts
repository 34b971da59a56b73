import { bearer, TestApp } from '../../../../test/support/test-app';

/** Bull Board at /admin/queues: admins only, by bearer token or by the board cookie. */
describe('queue board (Bull Board) at /admin/queues', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('answers admins only: anonymous 401, customer and employee 403, admin 200 — page and JSON api alike', async () => {
    const [customer, employee, admin] = await Promise.all([t.newCustomer(), t.newStaff('employee'), t.newStaff('admin')]);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const anonymous = await t.http().get(path).expect(401);
      expect(anonymous.body.code).toBe('TOKEN_INVALID');
      expect(anonymous.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await t.http().get(path).set(bearer(customer.accessToken)).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await t.http().get(path).set(bearer(employee.accessToken)).expect(403)).body.code).toBe('FORBIDDEN');
      await t.http().get(path).set(bearer('not-a-token')).expect(401);
    }
    const page = await t.http().get('/admin/queues').set(bearer(admin.accessToken)).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await t.http().get('/admin/queues/api/queues').set(bearer(admin.accessToken)).expect(200);
    expect((api.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(['request-expiry', 'request-fulfilment', 'request-triage']);
  });

  it('an admin opens it from a browser link: the session endpoint sets an HttpOnly cookie that the board accepts', async () => {
    const [customer, admin] = await Promise.all([t.newCustomer(), t.newStaff('admin')]);
    await t.http().post('/api/v1/admin/queues/session').set(bearer(customer.accessToken)).expect(403);
    await t.http().post('/api/v1/admin/queues/session').expect(401);
    const session = await t.http().post('/api/v1/admin/queues/session').set(bearer(admin.accessToken)).expect(204);
    const cookie = (session.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('bankingcore_queue_board='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    const cookiePair = cookie.split(';')[0];
    await t.http().get('/admin/queues/api/queues').set('Cookie', cookiePair).expect(200);
    const page = await t.http().get('/admin/queues').set('Cookie', cookiePair).expect(200);
    const script = /<script defer src="([^"]+\.js)"/.exec(page.text)![1];
    await t.http().get(new URL(script, 'http://x/admin/queues/').pathname).set('Cookie', cookiePair).expect(200);
    await t.http().get(new URL(script, 'http://x/admin/queues/').pathname).expect(401);
    await t.http().get('/admin/queues/api/queues').set('Cookie', 'bankingcore_queue_board=forged').expect(401);
  });

  it('a locked admin is refused even with a valid token', async () => {
    const admin = await t.newStaff('admin');
    await t.sql(`update users set status = 'locked', locked_at = now() where id = ?`, [admin.user.id]);
    expect((await t.http().get('/admin/queues').set(bearer(admin.accessToken)).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    expect((await t.http().post('/api/v1/admin/queues/session').set(bearer(admin.accessToken)).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
  });
});
