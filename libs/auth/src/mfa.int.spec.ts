import { generate } from 'otplib';
import { REFRESH_COOKIE_NAME, type TokenResponse } from '@bank/contracts/auth';
import type { MfaChallengeResponse, TotpSetupResponse } from '@bank/contracts/mfa';
import { bearer, ManualClock, TestApp, TEST_PASSWORD, type TestCustomer } from '../../../test/support/test-app';

/** The code an authenticator app shows at `epochS`. */
const codeAt = (secret: string, epochS: number) => generate({ secret, epoch: epochS });

describe('TOTP two-factor sign-in (HTTP, real PostgreSQL, a test clock)', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({}, { clock });
  });
  afterAll(() => t.close());

  const setup = (token: string) => t.http().post('/api/v1/auth/mfa/totp/setup').set(bearer(token));
  const confirm = (token: string, code: string) => t.http().post('/api/v1/auth/mfa/totp/confirm').set(bearer(token)).send({ code });
  const login = (email: string, password = TEST_PASSWORD) => t.http().post('/api/v1/auth/login').send({ email, password });
  const verify = (body: Record<string, string>) => t.http().post('/api/v1/auth/mfa/verify').send(body);
  const disable = (token: string, password: string, code: string) => t.http().delete('/api/v1/auth/mfa/totp').set(bearer(token)).send({ password, code });
  const eventsOf = async (userId: string) => (await t.sql<{ type: string }>('select type from security_events where user_id = ? order by id', [userId])).map((e) => e.type);

  /** A customer with TOTP on; the clock then moves one step on, as a later sign-in would be. */
  async function enrolled(): Promise<TestCustomer & { secret: string; recoveryCodes: string[] }> {
    const c = await t.newCustomer();
    const { secret } = (await setup(c.accessToken).expect(200)).body as TotpSetupResponse;
    const { recoveryCodes } = (await confirm(c.accessToken, await codeAt(secret, clock.nowS)).expect(200)).body as { recoveryCodes: string[] };
    clock.advance(30);
    return { ...c, secret, recoveryCodes };
  }

  async function challenge(email: string): Promise<string> {
    const answer = await login(email).expect(200);
    return (answer.body as MfaChallengeResponse).mfaToken;
  }

  it('setup answers a pending secret (not active: sign-in unchanged), a second setup replaces it, confirm turns it on with 10 recovery codes stored hashed', async () => {
    const c = await t.newCustomer();
    const first = (await setup(c.accessToken).expect(200)).body as TotpSetupResponse;
    expect(first.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(first.otpauthUrl.startsWith(`otpauth://totp/BankingCore:${encodeURIComponent(c.email)}?`)).toBe(true);
    expect(new URL(first.otpauthUrl).searchParams.get('secret')).toBe(first.secret);
    expect(first.qrSvg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((await login(c.email).expect(200)).body.accessToken).toEqual(expect.any(String));

    const second = (await setup(c.accessToken).expect(200)).body as TotpSetupResponse;
    expect(second.secret).not.toBe(first.secret);
    expect((await confirm(c.accessToken, await codeAt(first.secret, clock.nowS)).expect(401)).body.code).toBe('MFA_INVALID');
    expect((await confirm(c.accessToken, '12345').expect(400)).body.code).toBe('VALIDATION_FAILED');

    const confirmed = await confirm(c.accessToken, await codeAt(second.secret, clock.nowS)).expect(200);
    const recoveryCodes = confirmed.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const stored = await t.sql<{ code_hash: string }>('select code_hash from mfa_recovery_codes where user_id = ?', [c.user.id]);
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(recoveryCodes[0].replace(/-/g, ''));

    expect((await setup(c.accessToken).expect(409)).body.code).toBe('CONFLICT');
    expect((await confirm(c.accessToken, await codeAt(second.secret, clock.nowS + 30)).expect(409)).body.code).toBe('CONFLICT');
    expect(await eventsOf(c.user.id)).toEqual(['mfa.enabled']);
    const [notice] = await t.sql<{ kind: string }>(`select kind from notifications where user_id = ? and kind like 'security.mfa%'`, [c.user.id]);
    expect(notice).toEqual({ kind: 'security.mfa_changed' });
  });

  it('login answers the challenge and no tokens or cookie; the right code once → tokens and the cookie; the same code again → 401 MFA_INVALID; the mfaToken works once', async () => {
    const c = await enrolled();
    const answer = await login(c.email).expect(200);
    expect(answer.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), expiresIn: 300 });
    expect(answer.headers['set-cookie']).toBeUndefined();
    const code = await codeAt(c.secret, clock.nowS);

    const signedIn = await verify({ mfaToken: answer.body.mfaToken, code }).expect(200);
    const tokens = signedIn.body as TokenResponse;
    expect(tokens).toMatchObject({ tokenType: 'Bearer', user: { id: c.user.id } });
    expect(String(signedIn.headers['set-cookie'])).toContain(REFRESH_COOKIE_NAME);
    await t.http().get('/api/v1/me').set(bearer(tokens.accessToken)).expect(200);

    expect((await verify({ mfaToken: answer.body.mfaToken, code }).expect(401)).body.code).toBe('MFA_INVALID');
    expect((await verify({ mfaToken: await challenge(c.email), code }).expect(401)).body.code).toBe('MFA_INVALID');
    expect((await verify({ mfaToken: 'not-a-token', code }).expect(401)).body.code).toBe('MFA_INVALID');
    expect(await eventsOf(c.user.id)).toEqual(['mfa.enabled', 'mfa.failed']);
  });

  it('a code of the step before or after is accepted, two steps away is refused', async () => {
    const c = await enrolled();
    clock.advance(90);
    for (const offsetS of [-60, 60]) {
      expect((await verify({ mfaToken: await challenge(c.email), code: await codeAt(c.secret, clock.nowS + offsetS) }).expect(401)).body.code).toBe('MFA_INVALID');
    }
    await verify({ mfaToken: await challenge(c.email), code: await codeAt(c.secret, clock.nowS - 30) }).expect(200);
    clock.advance(90);
    await verify({ mfaToken: await challenge(c.email), code: await codeAt(c.secret, clock.nowS + 30) }).expect(200);
    // Accepting the next step's code spends every earlier step: the current code is now refused.
    expect((await verify({ mfaToken: await challenge(c.email), code: await codeAt(c.secret, clock.nowS) }).expect(401)).body.code).toBe('MFA_INVALID');
  });

  it('the same code sent twice at once signs in once', async () => {
    const c = await enrolled();
    const code = await codeAt(c.secret, clock.nowS);
    const [first, second] = await Promise.all([challenge(c.email), challenge(c.email)]);
    const answers = await Promise.all([verify({ mfaToken: first, code }), verify({ mfaToken: second, code })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
  });

  it('5 wrong codes lock the user like 5 wrong passwords; a right password between them does not start the count again', async () => {
    const c = await enrolled();
    let mfaToken = await challenge(c.email);
    for (let i = 0; i < 3; i++) expect((await verify({ mfaToken, code: '000000' }).expect(401)).body.code).toBe('MFA_INVALID');
    mfaToken = await challenge(c.email);
    expect((await verify({ mfaToken, code: '000000' }).expect(401)).body.code).toBe('MFA_INVALID');
    expect((await verify({ mfaToken, recoveryCode: 'AAAA-AAAA-AAAA-AAAA' }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    expect((await login(c.email).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    expect((await verify({ mfaToken, code: await codeAt(c.secret, clock.nowS) }).expect(423)).body.code).toBe('ACCOUNT_LOCKED');
    const [user] = await t.sql<{ status: string; failed_login_count: number }>('select status, failed_login_count from users where id = ?', [c.user.id]);
    expect(user).toEqual({ status: 'locked', failed_login_count: 5 });
    expect(await eventsOf(c.user.id)).toEqual(['mfa.enabled', ...Array(5).fill('mfa.failed'), 'account.locked']);
  });

  it('a recovery code works once (dashes and case do not matter), then it is spent', async () => {
    const c = await enrolled();
    const recoveryCode = c.recoveryCodes[3].toLowerCase();
    const tokens = (await verify({ mfaToken: await challenge(c.email), recoveryCode }).expect(200)).body as TokenResponse;
    expect(tokens.user.id).toBe(c.user.id);
    expect((await verify({ mfaToken: await challenge(c.email), recoveryCode: c.recoveryCodes[3].replace(/-/g, '') }).expect(401)).body.code).toBe('MFA_INVALID');
    const [spent] = await t.sql<{ n: number }>('select count(*)::int as n from mfa_recovery_codes where user_id = ? and used_at is not null', [c.user.id]);
    expect(spent.n).toBe(1);
    await verify({ mfaToken: await challenge(c.email), recoveryCode: c.recoveryCodes[4] }).expect(200);
    expect((await verify({ mfaToken: 'x', code: '123456', recoveryCode: c.recoveryCodes[5] }).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('the mfaToken expires after 300 s', async () => {
    const c = await enrolled();
    const inTime = await challenge(c.email);
    const late = await challenge(c.email);
    clock.advance(299);
    await verify({ mfaToken: inTime, code: await codeAt(c.secret, clock.nowS) }).expect(200);
    clock.advance(2);
    expect((await verify({ mfaToken: late, code: await codeAt(c.secret, clock.nowS + 30) }).expect(401)).body.code).toBe('MFA_INVALID');
  });

  it('turning it off needs the password (422 PASSWORD_INVALID) and a code (401 MFA_INVALID), both counted; then sign-in is one step again', async () => {
    const c = await enrolled();
    expect((await disable(c.accessToken, 'not-the-password', await codeAt(c.secret, clock.nowS)).expect(422)).body.code).toBe('PASSWORD_INVALID');
    expect((await disable(c.accessToken, TEST_PASSWORD, '000000').expect(401)).body.code).toBe('MFA_INVALID');
    expect((await disable(c.accessToken, TEST_PASSWORD, 'nope').expect(400)).body.code).toBe('VALIDATION_FAILED');
    const [counted] = await t.sql<{ failed_login_count: number }>('select failed_login_count from users where id = ?', [c.user.id]);
    expect(counted.failed_login_count).toBe(2);
    expect((await login(c.email).expect(200)).body.mfaRequired).toBe(true);

    await disable(c.accessToken, TEST_PASSWORD, await codeAt(c.secret, clock.nowS)).expect(204);
    expect((await login(c.email).expect(200)).body.accessToken).toEqual(expect.any(String));
    expect(await t.sql('select 1 from mfa_recovery_codes where user_id = ?', [c.user.id])).toHaveLength(0);
    expect((await disable(c.accessToken, TEST_PASSWORD, await codeAt(c.secret, clock.nowS + 30)).expect(409)).body.code).toBe('CONFLICT');
    expect(await eventsOf(c.user.id)).toEqual(['mfa.enabled', 'login.failed', 'mfa.failed', 'mfa.disabled']);
    const notices = await t.sql<{ title: string }>(`select title from notifications where user_id = ? and kind = 'security.mfa_changed' order by seq`, [c.user.id]);
    expect(notices.map((n) => n.title)).toEqual(['Two-factor sign-in is on', 'Two-factor sign-in is off']);
  });

  it('turning it off with a recovery code', async () => {
    const c = await enrolled();
    await disable(c.accessToken, TEST_PASSWORD, c.recoveryCodes[0]).expect(204);
    expect(await t.sql('select 1 from totp_factors where user_id = ?', [c.user.id])).toHaveLength(0);
  });

  describe('with MFA_REQUIRED_FOR_STAFF=true', () => {
    let strict: TestApp;
    beforeAll(async () => {
      strict = await TestApp.start({ MFA_REQUIRED_FOR_STAFF: 'true' }, { clock });
    });
    afterAll(() => strict.close());

    it('staff without TOTP get 401 MFA_REQUIRED on a normal route but can enrol (and read /me, sign out); customers are not asked', async () => {
      const employee = await t.newStaff('employee');
      const customer = await t.newCustomer();
      const token = (await strict.login(employee.email, TEST_PASSWORD)).accessToken;
      const http = () => strict.http();
      expect((await http().get('/api/v1/service-requests').set(bearer(token)).expect(401)).body.code).toBe('MFA_REQUIRED');
      await http().get('/api/v1/me').set(bearer(token)).expect(200);
      expect((await http().get('/api/v1/auth/mfa').set(bearer(token)).expect(200)).body).toEqual({ totpEnabled: false, enrolmentRequired: true });
      await http().get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(200);

      const { secret } = (await http().post('/api/v1/auth/mfa/totp/setup').set(bearer(token)).expect(200)).body as TotpSetupResponse;
      await http().post('/api/v1/auth/mfa/totp/confirm').set(bearer(token)).send({ code: await codeAt(secret, clock.nowS) }).expect(200);
      await http().get('/api/v1/service-requests').set(bearer(token)).expect(200);
      expect((await http().get('/api/v1/auth/mfa').set(bearer(token)).expect(200)).body).toEqual({ totpEnabled: true, enrolmentRequired: false });
    });
  });
});
