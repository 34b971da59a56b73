import { Client } from 'pg';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { listenerPid, startNativeStack, type RunningProcess } from '../support/processes';
import { uniqueDatabaseUrl } from '../support/test-env';
import { LiveClient, eventually } from '../support/live-client';
import { TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../support/test-app';

/** `npm run stack` natively: two api processes and two workers behind the balancer. */
describe('the native stack (npm run stack)', () => {
  const databaseUrl = uniqueDatabaseUrl('stack');
  let stack: RunningProcess;
  let port: number;
  let base: string;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    ({ stack, port } = await startNativeStack(databaseUrl, { LOG_LEVEL: 'warn', RATE_LIMITS: 'off' }));
    base = `http://127.0.0.1:${port}`;
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
    return { token: login.body!.accessToken as string, accountId: (registered.body!.account as { id: string }).id, userId: (registered.body!.user as { id: string }).id };
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

  it('an api stopped with SIGTERM closes its sockets so that they reconnect through the balancer and resume: every event arrives once, in order', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, () => customer()));
    const sockets: LiveClient[] = [];
    for (const c of customers) sockets.push(await LiveClient.resuming(base, c.token)); // round-robin: two on each api
    clients.push(...sockets);
    let stop = false;
    const failures: number[] = [];
    const traffic = customers.map(async (c, n) => {
      for (let i = 0; !stop; i++) {
        const { status } = await call('POST', `/accounts/${c.accountId}/deposits`, { amount: 1 }, c.token, { 'Idempotency-Key': `sockets-${n}-${i}` });
        if (status !== 201) failures.push(status);
      }
    });
    await eventually(() => sockets.every((socket) => socket.events.length >= 3), 'events on every socket');
    process.kill(listenerPid(port + 1), 'SIGTERM');
    const dropped = () => sockets.filter((socket) => socket.disconnects.length > 0);
    await eventually(() => dropped().length > 0 && dropped().every((socket) => socket.socket.connected), 'the dropped sockets to reconnect', 20_000);
    const eventsAfterReconnect = sockets.map((socket) => socket.events.length + 5);
    await eventually(() => sockets.every((socket, i) => socket.events.length >= eventsAfterReconnect[i]), 'more events after the reconnect', 20_000);
    stop = true;
    await Promise.all(traffic);
    expect(failures).toEqual([]);

    // The server closed the transport (the client reconnects by itself), never "io server disconnect".
    for (const socket of dropped()) expect(new Set(socket.disconnects)).toEqual(new Set(['transport close']));
    const database = new Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      for (const [i, c] of customers.entries()) {
        const owed = async () => (await database.query<{ id: string }>(`select event_seq::text as id from outbox_events where recipient = $1 and event_seq is not null order by event_seq`, [`user:${c.userId}`])).rows.map((row) => row.id);
        // Every event numbered by the relay first (it numbers as it publishes): equal counts while the
        // last ones are still unnumbered would compare a list that is still growing.
        const unnumbered = async () => (await database.query<{ n: number }>(`select count(*)::int as n from outbox_events where recipient = $1 and event_seq is null`, [`user:${c.userId}`])).rows[0].n;
        await eventually(async () => (await unnumbered()) === 0 && (await owed()).length === sockets[i].events.length, `socket ${i} to hold every event it is owed`, 15_000);
        expect(sockets[i].events.map((event) => event.id)).toEqual(await owed());
      }
    } finally {
      await database.end();
    }
  });
});
