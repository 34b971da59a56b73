import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { RunningProcess } from '../support/processes';
import { REDIS_URL, uniqueDatabaseUrl } from '../support/test-env';
import { LiveClient, eventually } from '../support/live-client';
import { TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../support/test-app';

/** `base`, `base + 1`, … `base + count - 1` all free right now. */
async function freePorts(count: number): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const all = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (all.every(Boolean)) return base;
  }
}

/** The pid listening on a local TCP port (lsof). */
function listenerPid(port: number): number {
  return Number(execFileSync('lsof', ['-t', `-iTCP:${port}`, '-sTCP:LISTEN']).toString().trim().split('\n')[0]);
}

/** `npm run stack` natively: two api processes and two workers behind the balancer. */
describe('the native stack (npm run stack)', () => {
  const databaseUrl = uniqueDatabaseUrl('stack');
  let stack: RunningProcess;
  let port: number;
  let base: string;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    port = await freePorts(3);
    base = `http://127.0.0.1:${port}`;
    stack = new RunningProcess(['dist/apps/stack/src/main.js', '--apis', '2', '--workers', '2'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bankingcore-test:stack-${port}:`,
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off',
    });
    await stack.waitFor(/stack is ready/, 60_000);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack?.stop();
    await dropDatabase(databaseUrl);
  });

  const call = async (method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, servedBy: response.headers.get('x-served-by'), body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const customer = async () => {
    const email = uniqueEmail('stack');
    const registered = await call('POST', '/auth/register', { email, password: TEST_PASSWORD, fullName: 'Stack Customer', pin: TEST_PIN });
    expect(registered.status).toBe(201);
    const login = await call('POST', '/auth/login', { email, password: TEST_PASSWORD });
    return { token: login.body!.accessToken as string, accountId: (registered.body!.account as { id: string }).id };
  };

  it('spreads requests over both api processes, and live events reach a socket connected through the balancer', async () => {
    const c = await customer();
    const servedBy = new Set<string>();
    for (let i = 0; i < 10; i++) servedBy.add((await call('GET', '/accounts', undefined, c.token)).servedBy ?? 'none');
    expect([...servedBy].sort()).toEqual(['api-1', 'api-2']);

    const socket = await LiveClient.connect(base, { token: c.token });
    clients.push(socket);
    expect((await call('POST', `/accounts/${c.accountId}/deposits`, { amount: 500 }, c.token)).status).toBe(201);
    await eventually(() => socket.ofType('balance.updated').length === 1, 'balance.updated through the balancer');
    const metrics = await fetch(`${base}/metrics`);
    expect(await metrics.text()).toMatch(/bankingcore_http_request_duration_seconds_count/);
  });

  it('an api process stopped with SIGTERM mid-traffic: no request fails, the stack starts it again', async () => {
    const c = await customer();
    let stopped = false;
    const results: number[] = [];
    const traffic = (async () => {
      for (let i = 0; i < 200 && !(stopped && results.length > 40); i++) {
        results.push((await call('POST', `/accounts/${c.accountId}/deposits`, { amount: 1 }, c.token, { 'Idempotency-Key': `restart-${i}` })).status);
      }
    })();
    await eventually(() => results.length >= 10, 'traffic to flow');
    process.kill(listenerPid(port + 1), 'SIGTERM');
    stopped = true;
    await traffic;
    expect(results.filter((status) => status !== 201)).toEqual([]);
    const account = await call('GET', `/accounts/${c.accountId}`, undefined, c.token);
    expect(account.body!.balance).toBe(results.length);

    await stack.waitFor(/api-1 exited \(code 0\); starting it again/, 10_000);
    await eventually(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await call('GET', '/accounts', undefined, c.token)).servedBy ?? 'none');
      return seen.has('api-1') && seen.has('api-2');
    }, 'api-1 back in the rotation', 30_000);
  });
});
