import { createHmac, randomUUID } from 'node:crypto';
import { REFRESH_COOKIE_NAME, type SessionView, type TokenResponse } from '@bank/contracts/auth';
import { bearer, TestApp, TEST_PASSWORD, type TestCustomer } from '../../../test/support/test-app';
import { eventually, LiveClient } from '../../../test/support/live-client';

/** Sessions a user sees and ends, password change, and revocation at every door (HTTP and Socket.IO, real PostgreSQL). */
describe('sessions, password change and token revocation (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await t.close();
  });

  const signIn = async (email: string, password: string, userAgent: string): Promise<TokenResponse> =>
    (await t.http().post('/api/v1/auth/login').set('User-Agent', userAgent).send({ email, password }).expect(200)).body as TokenResponse;
  const sessionsOf = async (token: string): Promise<SessionView[]> => (await t.http().get('/api/v1/auth/sessions').set(bearer(token)).expect(200)).body.items;
  const accounts = (token: string) => t.http().get('/api/v1/accounts').set(bearer(token));
  const refresh = (refreshToken: string) => t.http().post('/api/v1/auth/refresh').send({ refreshToken });
  const connect = async (token: string) => {
    const client = await LiveClient.connect(t.url, { token });
    clients.push(client);
    return client;
  };
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string; iat: number; iat_ms: number };
  const countOf = async (sql: string, params: unknown[]) => (await t.sql<{ n: number }>(sql, params))[0].n;

  it('lists one session per sign-in with its device, address and times; "current" is the caller’s', async () => {
    const c = await t.newCustomer();
    const phone = await signIn(c.email, TEST_PASSWORD, 'Phone/1.0 (lost)');
    const laptop = await signIn(c.email, TEST_PASSWORD, 'Laptop/2.0');
    const seen = await sessionsOf(laptop.accessToken);
    expect(seen).toHaveLength(3); // the factory's sign-in too
    const mine = seen.find((s) => s.current)!;
    expect(mine).toMatchObject({ id: claimsOf(laptop.accessToken).sid, userAgent: 'Laptop/2.0', ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(seen.filter((s) => s.current)).toHaveLength(1);
    expect(seen.find((s) => s.id === claimsOf(phone.accessToken).sid)).toMatchObject({ current: false, userAgent: 'Phone/1.0 (lost)' });
    expect(Date.parse(mine.createdAt)).toBeLessThanOrEqual(Date.parse(mine.lastUsedAt));

    // A refresh keeps the session (same sid) and moves lastUsedAt.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rotated = (await refresh(phone.refreshToken).expect(200)).body as TokenResponse;
    expect(claimsOf(rotated.accessToken).sid).toBe(claimsOf(phone.accessToken).sid);
    const after = (await sessionsOf(laptop.accessToken)).find((s) => s.id === claimsOf(phone.accessToken).sid)!;
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.parse(seen.find((s) => s.id === after.id)!.lastUsedAt));
    // Another user sees only their own.
    const other = await t.newCustomer();
    expect((await sessionsOf(other.accessToken)).map((s) => s.id)).toEqual([claimsOf(other.accessToken).sid]);
  });

  it('signing out one session: its refresh token and access token die at once, its socket is cut; the current session goes on; audited and notified', async () => {
    const c = await t.newCustomer();
    const lost = await signIn(c.email, TEST_PASSWORD, 'Phone/1.0 (lost)');
    const lostSid = claimsOf(lost.accessToken).sid;
    const lostSocket = await connect(lost.accessToken);
    const mySocket = await connect(c.accessToken);
    const other = await t.newCustomer();

    // Another user's session id is 404 like one that does not exist, and nothing ends.
    expect((await t.http().delete(`/api/v1/auth/sessions/${lostSid}`).set(bearer(other.accessToken)).expect(404)).body.code).toBe('NOT_FOUND');
    await t.http().delete(`/api/v1/auth/sessions/${randomUUID()}`).set(bearer(c.accessToken)).expect(404);
    await t.http().delete('/api/v1/auth/sessions/not-a-uuid').set(bearer(c.accessToken)).expect(404);
    await accounts(lost.accessToken).expect(200);

    await t.http().delete(`/api/v1/auth/sessions/${lostSid}`).set(bearer(c.accessToken)).expect(204);
    expect((await accounts(lost.accessToken).expect(401)).body.code).toBe('TOKEN_INVALID');
    expect((await refresh(lost.refreshToken).expect(401)).body.code).toBe('TOKEN_INVALID');
    await eventually(() => lostSocket.disconnectReason !== null, 'the ended session’s socket to be cut');
    expect(lostSocket.disconnectReason).toBe('io server disconnect');
    await expect(LiveClient.connect(t.url, { token: lost.accessToken })).rejects.toThrow(/TOKEN_INVALID/);
    expect(mySocket.socket.connected).toBe(true);
    await accounts(c.accessToken).expect(200);
    await refresh(c.refreshToken).expect(200);
    expect((await sessionsOf(c.accessToken)).map((s) => s.id)).not.toContain(lostSid);
    await t.http().delete(`/api/v1/auth/sessions/${lostSid}`).set(bearer(c.accessToken)).expect(404);

    const events = await t.sql<{ type: string; detail: Record<string, unknown> }>(`select type, detail from security_events where user_id = ? and type = 'session.revoked'`, [c.user.id]);
    expect(events).toEqual([{ type: 'session.revoked', detail: { sessionId: lostSid, reason: 'signed out elsewhere' } }]);
    const notices = await t.sql<{ kind: string; link_id: string }>(`select kind, link_id::text from notifications where user_id = ? and kind = 'security.session_revoked'`, [c.user.id]);
    expect(notices).toEqual([{ kind: 'security.session_revoked', link_id: lostSid }]);
    expect(await countOf(`select count(*)::int as n from outbox_events where type = 'session.revoked' and recipient = ? and payload->>'sessionId' = ?`, [`user:${c.user.id}`, lostSid])).toBe(1);
  });

  it('signing out everywhere else ends every other session; the current one goes on', async () => {
    const c = await t.newCustomer();
    const others = [await signIn(c.email, TEST_PASSWORD, 'A/1'), await signIn(c.email, TEST_PASSWORD, 'B/1')];
    const me = await signIn(c.email, TEST_PASSWORD, 'Me/1');
    await t.http().post('/api/v1/auth/sessions/revoke-others').set(bearer(me.accessToken)).expect(204);
    for (const session of [...others, { accessToken: c.accessToken, refreshToken: c.refreshToken }]) {
      await accounts(session.accessToken).expect(401);
      await refresh(session.refreshToken).expect(401);
    }
    await accounts(me.accessToken).expect(200);
    expect((await sessionsOf(me.accessToken)).map((s) => s.userAgent)).toEqual(['Me/1']);
    expect(await countOf(`select count(*)::int as n from security_events where user_id = ? and type = 'session.revoked'`, [c.user.id])).toBe(3);
    expect(await countOf(`select count(*)::int as n from notifications where user_id = ? and kind = 'security.session_revoked'`, [c.user.id])).toBe(1);
    // Nothing left to end: still 204, nothing more recorded.
    await t.http().post('/api/v1/auth/sessions/revoke-others').set(bearer(me.accessToken)).expect(204);
    expect(await countOf(`select count(*)::int as n from notifications where user_id = ? and kind = 'security.session_revoked'`, [c.user.id])).toBe(1);
  });

  describe('password change', () => {
    const change = (token: string, body: object) => t.http().post('/api/v1/auth/password').set(bearer(token)).send(body);

    it('needs the current password (422 PASSWORD_INVALID, counted like a failed sign-in) and a new one of ≥ 12 characters that differs', async () => {
      const c = await t.newCustomer();
      const wrong = await change(c.accessToken, { currentPassword: 'not-my-password', newPassword: 'a-brand-new-password' }).expect(422);
      expect(wrong.body.code).toBe('PASSWORD_INVALID');
      const [counted] = await t.sql<{ failed_login_count: number }>('select failed_login_count from users where id = ?', [c.user.id]);
      expect(counted.failed_login_count).toBe(1);
      const [failed] = await t.sql<{ detail: Record<string, unknown> }>(`select detail from security_events where user_id = ? and type = 'login.failed'`, [c.user.id]);
      expect(failed.detail).toMatchObject({ email: c.email, failedLogins: 1 });
      expect(JSON.stringify(failed.detail)).not.toContain('not-my-password');

      for (const body of [
        { currentPassword: TEST_PASSWORD, newPassword: 'too-short' },
        { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
        { currentPassword: TEST_PASSWORD },
        { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-password', extra: 1 },
      ]) {
        const refused = await change(c.accessToken, body).expect(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
      }
      const [unchanged] = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where user_id = ? and type = 'password.changed'`, [c.user.id]);
      expect(unchanged.n).toBe(0);
      await signIn(c.email, TEST_PASSWORD, 'still/1');
    });

    it('changes it (Argon2id): the old password no longer works, other sessions are dead, the current one goes on; audited and notified', async () => {
      const c = await t.newCustomer();
      const other = await signIn(c.email, TEST_PASSWORD, 'Other/1');
      const otherSocket = await connect(other.accessToken);
      const newPassword = 'correct-horse-battery-staple-2';
      await change(c.accessToken, { currentPassword: TEST_PASSWORD, newPassword }).expect(204);

      expect((await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(401)).body.code).toBe('INVALID_CREDENTIALS');
      await signIn(c.email, newPassword, 'New/1');
      await accounts(other.accessToken).expect(401);
      await refresh(other.refreshToken).expect(401);
      await eventually(() => otherSocket.disconnectReason !== null, 'the other session’s socket to be cut');
      await accounts(c.accessToken).expect(200);
      await refresh(c.refreshToken).expect(200);

      const [user] = await t.sql<{ password_hash: string }>('select password_hash from users where id = ?', [c.user.id]);
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      const [event] = await t.sql<{ detail: Record<string, unknown> }>(`select detail from security_events where user_id = ? and type = 'password.changed'`, [c.user.id]);
      expect(event.detail).toEqual({ email: c.email, sessionsEnded: 1 });
      expect(JSON.stringify(event.detail)).not.toContain(newPassword);
      expect(await countOf(`select count(*)::int as n from notifications where user_id = ? and kind = 'security.password_changed'`, [c.user.id])).toBe(1);
    });

    it('5 wrong current passwords lock the user out of new sign-ins like 5 wrong sign-ins; the session itself goes on, and no more guesses are taken', async () => {
      const c = await t.newCustomer();
      for (let i = 0; i < 5; i++) await change(c.accessToken, { currentPassword: `guess-${i}`, newPassword: 'a-brand-new-password' }).expect(422);
      expect((await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
      await accounts(c.accessToken).expect(200);
      expect((await change(c.accessToken, { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-password' }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    });
  });

  describe('lockout versus an admin’s lock', () => {
    const lockOut = async (email: string) => {
      for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email, password: `lockout-guess-${i}` });
    };

    it('a brute-force lockout blocks new password sign-ins only: existing tokens, refresh and sockets go on', async () => {
      const c = await t.newCustomer();
      const socket = await connect(c.accessToken);
      await lockOut(c.email);
      expect((await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
      await accounts(c.accessToken).expect(200);
      const rotated = (await refresh(c.refreshToken).expect(200)).body as TokenResponse;
      await accounts(rotated.accessToken).expect(200);
      await connect(rotated.accessToken);
      expect(socket.socket.connected).toBe(true);
    });

    it('an admin’s lock ends everything (also over a lockout): tokens 423, refresh refused, sockets cut; after the unlock the old tokens stay dead and a sign-in at once works', async () => {
      const [c, admin] = await Promise.all([t.newCustomer(), t.admin()]);
      const socket = await connect(c.accessToken);
      await lockOut(c.email);
      await t.http().post(`/api/v1/admin/users/${c.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'phone stolen' }).expect(200);
      expect((await accounts(c.accessToken).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
      await eventually(() => socket.disconnectReason !== null, 'the locked user’s socket to be cut');
      await expect(LiveClient.connect(t.url, { token: c.accessToken })).rejects.toThrow(/locked/i);
      await refresh(c.refreshToken).expect(401);
      const [row] = await t.sql<{ lock_kind: string }>('select lock_kind from users where id = ?', [c.user.id]);
      expect(row.lock_kind).toBe('admin');

      await t.http().post(`/api/v1/admin/users/${c.user.id}/unlock`).set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).expect(200);
      const fresh = await signIn(c.email, TEST_PASSWORD, 'After/1'); // no waiting for the next second: times are compared in ms
      await accounts(fresh.accessToken).expect(200);
      expect((await accounts(c.accessToken).expect(401)).body.code).toBe('TOKEN_INVALID');
      await refresh(c.refreshToken).expect(401);
    });

    it('after lock → unlock, an api process started later still refuses the pre-lock tokens: REST, socket handshake, queue board', async () => {
      const [victim, admin] = await Promise.all([t.newStaff('admin'), t.admin()]);
      const customer: TestCustomer = await t.newCustomer();
      await t.http().post(`/api/v1/admin/users/${victim.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'left the bank' }).expect(200);
      await t.http().post(`/api/v1/admin/users/${victim.user.id}/unlock`).set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).expect(200);
      await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'fraud' }).expect(200);
      await t.http().post(`/api/v1/admin/users/${customer.user.id}/unlock`).set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).expect(200);

      const later = await TestApp.start();
      try {
        expect((await later.http().get('/api/v1/me').set(bearer(victim.accessToken)).expect(401)).body.code).toBe('TOKEN_INVALID');
        expect((await later.http().get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(401)).body.code).toBe('TOKEN_INVALID');
        await expect(LiveClient.connect(later.url, { token: customer.accessToken })).rejects.toThrow(/TOKEN_INVALID/);
        expect((await later.http().get('/admin/queues/api/queues').set(bearer(victim.accessToken)).expect(401)).body.code).toBe('TOKEN_INVALID');
        await later.http().post('/api/v1/admin/queues/session').set(bearer(victim.accessToken)).expect(401);
        // A sign-in after the unlock works there too.
        const fresh = await later.login(victim.email, TEST_PASSWORD);
        await later.http().get('/admin/queues/api/queues').set(bearer(fresh.accessToken)).expect(200);
        // An ended session stays ended on the later process too.
        const ended = await signIn(customer.email, TEST_PASSWORD, 'Ended/1');
        const keeper = await signIn(customer.email, TEST_PASSWORD, 'Keeper/1');
        await t.http().delete(`/api/v1/auth/sessions/${claimsOf(ended.accessToken).sid}`).set(bearer(keeper.accessToken)).expect(204);
        const third = await TestApp.start();
        try {
          await third.http().get('/api/v1/accounts').set(bearer(ended.accessToken)).expect(401);
          await third.http().get('/api/v1/accounts').set(bearer(keeper.accessToken)).expect(200);
        } finally {
          await third.close();
        }
      } finally {
        await later.close();
      }
    });
  });

  it('a cookie refresh answers without refreshToken in the body (the cookie carries it); a body refresh still gets it', async () => {
    const c = await t.newCustomer();
    const byCookie = await t.http().post('/api/v1/auth/refresh').set('Cookie', `${REFRESH_COOKIE_NAME}=${c.refreshToken}`).send({}).expect(200);
    expect(byCookie.body).not.toHaveProperty('refreshToken');
    expect(byCookie.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), user: { id: c.user.id } });
    const cookie = /bc_refresh=([^;]+)/.exec(String(byCookie.headers['set-cookie']))![1];
    expect(cookie).not.toBe(c.refreshToken);
    const byBody = await refresh(cookie).expect(200);
    expect(byBody.body.refreshToken).toEqual(expect.any(String));
  });

  it('a token signed with the real secret but with odd claims (sub not a UUID, unknown role, no sid, iat_ms unlike iat) is 401 TOKEN_INVALID, never 500', async () => {
    const c = await t.newCustomer();
    const [header, payload] = c.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forge = (edited: Record<string, unknown>) => {
      const body = Buffer.from(JSON.stringify(edited)).toString('base64url');
      return `${header}.${body}.${createHmac('sha256', t.config.jwtSecret).update(`${header}.${body}`).digest('base64url')}`;
    };
    const { sid: _sid, ...withoutSid } = claims;
    for (const edited of [
      { ...claims, sub: "x' or 1=1 --" },
      { ...claims, sub: 42 },
      { ...claims, role: 'superuser' },
      { ...claims, role: ['admin'] },
      withoutSid,
      { ...claims, sid: 'not-a-session' },
      { ...claims, iat_ms: (claims.iat_ms as number) + 60_000 },
    ]) {
      const answer = await t.http().get('/api/v1/me').set(bearer(forge(edited))).expect(401);
      expect(answer.body.code).toBe('TOKEN_INVALID');
      await expect(LiveClient.connect(t.url, { token: forge(edited) })).rejects.toThrow(/TOKEN_INVALID/);
    }
    // The control: the same signing with the claims untouched passes.
    await t.http().get('/api/v1/me').set(bearer(forge(claims))).expect(200);
  });
});
