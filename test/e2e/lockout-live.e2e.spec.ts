import request from 'supertest';
import { bearer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, LiveClient } from '../support/live-client';

/**
 * Lockout and revocation seen live: admins' sockets on any api process get the events; a lockout
 * leaves the user's sessions alone, an admin's lock and a session signed out elsewhere end them on
 * every process.
 */
describe('lockout, live (relay process, two api processes)', () => {
  let stack: LiveStack;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('lockout');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  // Issue 19 ("lockout as a weapon"): anyone can send five wrong passwords, so a lockout blocks new
  // password sign-ins only. The user's open sessions — REST and sockets, on every process — go on.
  it('5 wrong passwords: the admin feed shows each failure and the lock live; the user’s open sessions go on on both api processes', async () => {
    const t = stack.app;
    const secondApi = await stack.startApi();
    const [victim, admin] = await Promise.all([t.newCustomer(), t.admin()]);
    const adminSocket = await LiveClient.connect(secondApi, { token: admin.accessToken });
    const victimHere = await LiveClient.connect(t.url, { token: victim.accessToken });
    const victimThere = await LiveClient.connect(secondApi, { token: victim.accessToken });
    clients.push(adminSocket, victimHere, victimThere);

    for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: `guess-number-${i}` });

    await eventually(() => adminSocket.ofType('user.locked').length === 1, 'the admin to see user.locked live');
    const securityEvents = adminSocket.ofType('security.event').map((e) => e.data as unknown as { type: string; userId: string });
    expect(securityEvents.filter((e) => e.userId === victim.user.id).map((e) => e.type)).toEqual([...Array(5).fill('login.failed'), 'account.locked']);
    expect(adminSocket.ofType('user.locked')[0].data).toMatchObject({ id: victim.user.id, status: 'locked' });
    // The batch that told the admin (on the second process) reached every process: nothing was cut.
    expect(victimHere.socket.connected).toBe(true);
    expect(victimThere.socket.connected).toBe(true);
    for (const base of [t.url, secondApi]) await request(base).get('/api/v1/accounts').set(bearer(victim.accessToken)).expect(200);
    clients.push(await LiveClient.connect(secondApi, { token: victim.accessToken }));
    expect((await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: victim.password }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
  });

  it('an admin lock ends everything on every api process at once: tokens 423, sockets cut; after the unlock the old tokens are 401 and a sign-in at once works', async () => {
    const t = stack.app;
    const otherApi = await stack.startApi();
    const [victim, bystander, admin] = await Promise.all([t.newCustomer(), t.newCustomer(), t.admin()]);
    const accounts = (base: string, token: string) => request(base).get('/api/v1/accounts').set(bearer(token));
    for (const base of [t.url, otherApi]) await accounts(base, victim.accessToken).expect(200);
    const victimThere = await LiveClient.connect(otherApi, { token: victim.accessToken });
    const bystanderThere = await LiveClient.connect(otherApi, { token: bystander.accessToken });
    clients.push(victimThere, bystanderThere);

    await t.http().post(`/api/v1/admin/users/${victim.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'card reported stolen' }).expect(200);
    for (const base of [t.url, otherApi]) {
      await eventually(async () => (await accounts(base, victim.accessToken)).status === 423, `the old token refused on ${base}`, 1_000);
      expect((await accounts(base, victim.accessToken)).body.code).toBe('ACCOUNT_LOCKED');
      await accounts(base, bystander.accessToken).expect(200);
    }
    await eventually(() => victimThere.disconnectReason !== null, 'the locked user’s socket on the other process to be cut', 1_000);
    expect(bystanderThere.socket.connected).toBe(true);

    await t.http().post(`/api/v1/admin/users/${victim.user.id}/unlock`).set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).expect(200);
    const fresh = await t.login(victim.email, victim.password); // times are compared in milliseconds: no waiting for the next second
    for (const base of [t.url, otherApi]) {
      await eventually(async () => (await accounts(base, victim.accessToken)).status === 401, `the pre-lock token refused as revoked on ${base}`, 1_000);
      await accounts(base, fresh.accessToken).expect(200);
    }
  });

  it('signing out a session elsewhere: within a second its access token is 401 on the other api process and its socket there is cut; its refresh is 401; the current session goes on', async () => {
    const t = stack.app;
    const otherApi = await stack.startApi();
    const customer = await t.newCustomer();
    const phone = (await request(t.url).post('/api/v1/auth/login').set('User-Agent', 'Phone/1.0').send({ email: customer.email, password: customer.password }).expect(200)).body as {
      accessToken: string;
      refreshToken: string;
    };
    const phoneSid = (JSON.parse(Buffer.from(phone.accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const phoneThere = await LiveClient.connect(otherApi, { token: phone.accessToken });
    const laptopThere = await LiveClient.connect(otherApi, { token: customer.accessToken });
    clients.push(phoneThere, laptopThere);
    await request(otherApi).get('/api/v1/accounts').set(bearer(phone.accessToken)).expect(200);

    const revokedAt = Date.now();
    await t.http().delete(`/api/v1/auth/sessions/${phoneSid}`).set(bearer(customer.accessToken)).expect(204);
    await eventually(async () => (await request(otherApi).get('/api/v1/accounts').set(bearer(phone.accessToken))).status === 401, 'the ended session’s token refused on the other process', 1_000);
    await eventually(() => phoneThere.disconnectReason !== null, 'the ended session’s socket on the other process to be cut', 1_000);
    expect(Date.now() - revokedAt).toBeLessThan(1_500);
    expect((await request(otherApi).post('/api/v1/auth/refresh').send({ refreshToken: phone.refreshToken }).expect(401)).body.code).toBe('TOKEN_INVALID');
    expect(laptopThere.socket.connected).toBe(true);
    await request(otherApi).get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(200);
    // The user's other devices were told.
    await eventually(() => laptopThere.ofType('session.revoked').some((e) => e.data.sessionId === phoneSid), 'session.revoked to reach the user’s other device');
  });
});
