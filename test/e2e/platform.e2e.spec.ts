import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { DEMO_CUSTOMERS, DEMO_EMPLOYEE, DEMO_PASSWORD } from '../../libs/onboarding/src/demo/demo-users';
import { freePort, RunningProcess } from '../support/processes';
import { REDIS_URL, testRedisPrefix, uniqueDatabaseUrl } from '../support/test-env';
import { eventually } from '../support/live-client';

/**
 * `npm start`'s launcher, built code, real PostgreSQL and Redis: the quick start a newcomer runs.
 * The database named by DATABASE_URL does not exist beforehand.
 */
describe('the platform from one command (built api + worker)', () => {
  const databaseUrl = uniqueDatabaseUrl('platform');
  let port: number;
  let env: Record<string, string>;
  afterAll(() => dropDatabase(databaseUrl));

  beforeAll(async () => {
    port = await freePort();
    env = { DATABASE_URL: databaseUrl, REDIS_URL, PORT: String(port), REDIS_KEY_PREFIX: `${testRedisPrefix()}platform-${port}:`, LOG_LEVEL: 'info' };
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

  it('creates the database, migrates, seeds demo users, prints their logins, serves, and stops cleanly on SIGTERM', async () => {
    const platform = new RunningProcess(['scripts/start-platform.mjs', '--demo'], env);
    try {
      await platform.waitFor(/BankingCore is ready at/, 60_000);
      expect(platform.output).toMatch(/created database/);
      expect(platform.output).toMatch(/worker ready/);
      for (const person of [...DEMO_CUSTOMERS, DEMO_EMPLOYEE]) expect(platform.stdout).toContain(person.email);
      expect(platform.stdout).toContain(DEMO_PASSWORD);

      const ready = await fetch(url('/health/ready'));
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { details: { worker: unknown } }).details.worker).toMatchObject({ status: 'up', workers: 1 });

      const alice = await post('/api/v1/auth/login', { email: DEMO_CUSTOMERS[0].email, password: DEMO_PASSWORD });
      expect(alice.status).toBe(200);
      const emma = await post('/api/v1/auth/login', { email: DEMO_EMPLOYEE.email, password: DEMO_PASSWORD });
      expect(((await emma.json()) as { user: { role: string } }).user.role).toBe('employee');

      // What the README tells a newcomer to try with curl.
      const email = `newcomer-${port}@example.com`;
      expect((await post('/api/v1/auth/register', { email, password: 'a-long-password', fullName: 'New Comer', pin: '2468' })).status).toBe(201);
      const login = (await (await post('/api/v1/auth/login', { email, password: 'a-long-password' })).json()) as { accessToken: string };
      const me = await fetch(url('/api/v1/me'), { headers: { authorization: `Bearer ${login.accessToken}` } });
      expect(await me.json()).toMatchObject({ email, role: 'customer' });
      // Request lines are written in batches (at most half a second late).
      await platform.waitFor(/"req":\{"id":"[0-9a-f-]{36}","method":"POST","url":"\/api\/v1\/auth\/login"/, 5_000);
    } finally {
      const exit = await platform.stop();
      expect(exit.code).toBe(0);
    }
    expect(platform.output).not.toMatch(/exited \(/);
  });

  it('starts again on the same database without migrating or seeding twice', async () => {
    const platform = new RunningProcess(['scripts/start-platform.mjs', '--demo'], env);
    try {
      await platform.waitFor(/BankingCore is ready at/, 60_000);
      expect(platform.output).not.toMatch(/applied \d+ migration/);
      expect(platform.output).not.toMatch(/demo data created/);
    } finally {
      expect((await platform.stop()).code).toBe(0);
    }
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`select role, count(*)::int as n from users group by role order by role`);
      expect(rows).toEqual([
        { role: 'admin', n: 1 },
        { role: 'customer', n: DEMO_CUSTOMERS.length + 1 }, // the demo's and the newcomer of the first test
        { role: 'employee', n: 1 },
      ]);
    } finally {
      await db.end();
    }
  });

  it('starts a process that dies again, after a back-off, and keeps serving (it never stops the platform)', async () => {
    const platform = new RunningProcess(['scripts/start-platform.mjs'], env);
    try {
      await platform.waitFor(/BankingCore is ready at/, 60_000);
      const worker = Number(execFileSync('pgrep', ['-P', String(platform.pid), '-f', 'worker/src/main.js']).toString().trim());
      process.kill(worker, 'SIGKILL');
      await platform.waitFor(/worker exited \(SIGKILL\); starting it again in 1 s/, 10_000);
      // The api kept serving meanwhile; the new worker leads the relay and readiness is green again.
      expect((await fetch(url('/health/live'))).status).toBe(200);
      await platform.waitFor(/worker ready[\s\S]*worker ready/, 30_000);
      await eventually(async () => (await fetch(url('/health/ready'))).status === 200, 'readiness with the new worker', 20_000);
    } finally {
      expect((await platform.stop()).code).toBe(0);
    }
  });
});
