import request from 'supertest';
import { bearer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, LiveClient } from '../support/live-client';

/** Lockout seen live: admins' sockets on any api process get the events; the locked user's sockets are cut on every process. */
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

  it('5 wrong passwords: the admin feed shows each failure and the lock live; the user’s sockets on both api processes are cut', async () => {
    const t = stack.app;
    const secondApi = await stack.startApi();
    const [victim, bystander, admin] = await Promise.all([t.newCustomer(), t.newCustomer(), t.admin()]);
    const adminSocket = await LiveClient.connect(secondApi, { token: admin.accessToken });
    const victimHere = await LiveClient.connect(t.url, { token: victim.accessToken });
    const victimThere = await LiveClient.connect(secondApi, { token: victim.accessToken });
    const bystanderSocket = await LiveClient.connect(secondApi, { token: bystander.accessToken });
    clients.push(adminSocket, victimHere, victimThere, bystanderSocket);

    for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: `guess-number-${i}` });

    await eventually(() => adminSocket.ofType('user.locked').length === 1, 'the admin to see user.locked live');
    const securityEvents = adminSocket.ofType('security.event').map((e) => e.data as unknown as { type: string; userId: string });
    expect(securityEvents.filter((e) => e.userId === victim.user.id).map((e) => e.type)).toEqual([...Array(5).fill('login.failed'), 'account.locked']);
    expect(adminSocket.ofType('user.locked')[0].data).toMatchObject({ id: victim.user.id, status: 'locked' });
    await eventually(() => victimHere.disconnectReason !== null && victimThere.disconnectReason !== null, 'both of the locked user’s sockets to be cut');
    expect(victimHere.disconnectReason).toBe('io server disconnect');
    expect(bystanderSocket.socket.connected).toBe(true);
    expect(adminSocket.socket.connected).toBe(true);
    await expect(LiveClient.connect(t.url, { token: victim.accessToken })).rejects.toThrow(/locked/i);
  });

  it('an admin lock ends the user’s REST access on every api process at once: tokens issued before it are 423 (also after an unlock), a sign-in after the unlock works', async () => {
    const t = stack.app;
    const otherApi = await stack.startApi();
    const [victim, bystander, admin] = await Promise.all([t.newCustomer(), t.newCustomer(), t.admin()]);
    const accounts = (base: string, token: string) => request(base).get('/api/v1/accounts').set(bearer(token));
    for (const base of [t.url, otherApi]) await accounts(base, victim.accessToken).expect(200);

    await t.http().post(`/api/v1/admin/users/${victim.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'card reported stolen' }).expect(200);
    for (const base of [t.url, otherApi]) {
      await eventually(async () => (await accounts(base, victim.accessToken)).status === 423, `the old token refused on ${base}`);
      expect((await accounts(base, victim.accessToken)).body.code).toBe('ACCOUNT_LOCKED');
      await accounts(base, bystander.accessToken).expect(200);
    }

    await t.http().post(`/api/v1/admin/users/${victim.user.id}/unlock`).set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // token times are whole seconds: sign in a second after the lock
    const fresh = await t.login(victim.email, victim.password);
    for (const base of [t.url, otherApi]) {
      await accounts(base, fresh.accessToken).expect(200);
      await accounts(base, victim.accessToken).expect(423);
    }
  });
});
