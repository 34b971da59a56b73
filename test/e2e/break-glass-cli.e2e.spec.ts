import { RunningProcess } from '../support/processes';
import { TestApp, TEST_PASSWORD, uniqueEmail } from '../support/test-app';
import { testDatabaseUrl } from '../support/test-env';

const CLI = 'dist/apps/cli/src/main.js';

/**
 * The operator's break-glass unlock (issue 19, "Lockout as a weapon"): the built CLI, run as an
 * operator would against the database an api runs on, unlocks a locked-out user with the
 * platform's ADMIN_KEY from the environment, audited as `operator.unlocked`; without the key or
 * with a wrong one it refuses, and an unknown email is a non-zero exit.
 */
describe('npm run cli -- unlock-user <email> (the built CLI against the test database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The api records the digest of its ADMIN_KEY at start: what the CLI checks its key against.
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const cli = async (args: string[], env: Record<string, string>) => {
    const run = new RunningProcess([CLI, ...args], { NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent', ...env });
    const { code } = await run.exited;
    return { code, stdout: run.stdout, stderr: run.stderr };
  };
  const lockedOut = async () => {
    const c = await t.newCustomer();
    for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email: c.email, password: `wrong-${i}` });
    await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(423);
    return c;
  };
  const eventsOf = (userId: string, type: string) => t.sql<{ detail: Record<string, unknown> }>('select detail from security_events where user_id = ? and type = ? order by id', [userId, type]);

  it('with the platform’s ADMIN_KEY: the user is unlocked, signs in again, and the unlock is audited and announced', async () => {
    const c = await lockedOut();
    const run = await cli(['unlock-user', c.email.toUpperCase()], { ADMIN_KEY: t.config.adminKey });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`unlocked ${c.email}.*user ${c.user.id}.*operator\\.unlocked`));
    await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(200);

    const [event] = await eventsOf(c.user.id, 'operator.unlocked');
    expect(event.detail).toEqual({ by: 'operator', operator: expect.stringMatching(/.@./), wasLocked: true });
    const announced = await t.sql<{ n: number }>(`select count(*)::int as n from outbox_events where type = 'user.unlocked' and payload->>'id' = ?`, [c.user.id]);
    expect(announced[0].n).toBe(1);

    const again = await cli(['unlock-user', c.email], { ADMIN_KEY: t.config.adminKey });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/was not locked: nothing changed/);
  });

  it('refuses without ADMIN_KEY or with a wrong one (the wrong one recorded); the user stays locked', async () => {
    const c = await lockedOut();
    const without = await cli(['unlock-user', c.email], {});
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/set ADMIN_KEY/);
    const wrong = await cli(['unlock-user', c.email], { ADMIN_KEY: 'not-the-platform-admin-key' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/ADMIN_KEY is not the admin key/);
    expect(wrong.stdout + wrong.stderr).not.toContain('not-the-platform-admin-key');
    await t.http().post('/api/v1/auth/login').send({ email: c.email, password: TEST_PASSWORD }).expect(423);
    expect(await eventsOf(c.user.id, 'operator.unlocked')).toEqual([]);
    const failures = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'admin_key.failed' and detail->>'email' = ? and detail->>'by' = 'operator'`, [c.email]);
    expect(failures[0].n).toBe(1);
  });

  it('an unknown email exits non-zero naming it; a wrong command prints the usage', async () => {
    const email = uniqueEmail('nobody');
    const unknown = await cli(['unlock-user', email], { ADMIN_KEY: t.config.adminKey });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`no user with the email ${email}`);
    const usage = await cli(['lock-user', email], { ADMIN_KEY: t.config.adminKey });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run cli -- unlock-user <email>/);
  });
});
