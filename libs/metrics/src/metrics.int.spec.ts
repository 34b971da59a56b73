import { readFileSync } from 'node:fs';
import { bearer, TestApp } from '../../../test/support/test-app';

/** One sample of a Prometheus text exposition: the value of `name{labels}` (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics at /metrics (Prometheus text, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const response = await t.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.text;
  };

  it('counts 30 concurrent transfers by outcome exactly as the ledger has them, and times requests by route pattern', async () => {
    const [alice, bob] = await Promise.all([t.newFundedCustomer(1_000), t.newCustomer()]);
    const before = await scrape();
    const count = (text: string, outcome: string) => sample(text, 'bankingcore_money_movements_total', { kind: 'transfer', outcome }) ?? 0;
    // 30 transfers of 100 from a balance of 1,000: exactly 10 can post, the rest are refused.
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => t.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 })),
    );
    const posted = answers.filter((a) => a.status === 201).length;
    const refused = answers.filter((a) => a.status === 422 && a.body.code === 'INSUFFICIENT_FUNDS').length;
    expect([posted, refused]).toEqual([10, 20]);
    // a replay and a validation failure
    await t.http().post('/api/v1/transfers').set(bearer(bob.accessToken)).set('Idempotency-Key', 'metrics-1').send({ fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: 1 }).expect(201);
    await t.http().post('/api/v1/transfers').set(bearer(bob.accessToken)).set('Idempotency-Key', 'metrics-1').send({ fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: 1 }).expect(201);
    await t.http().post('/api/v1/transfers').set(bearer(bob.accessToken)).send({ fromAccountId: bob.accountId, toAccountNumber: alice.accountNumber, amount: -1 }).expect(400);

    const after = await scrape();
    // Other test files move money in the same process meanwhile only in their own apps: this registry is this app's.
    expect(count(after, 'posted') - count(before, 'posted')).toBe(11);
    expect(count(after, 'INSUFFICIENT_FUNDS') - count(before, 'INSUFFICIENT_FUNDS')).toBe(20);
    expect(count(after, 'replayed') - count(before, 'replayed')).toBe(1);
    expect(count(after, 'VALIDATION_FAILED') - count(before, 'VALIDATION_FAILED')).toBe(1);
    const [{ n }] = await t.sql<{ n: number }>(`select count(*)::int as n from ledger_entries where account_id = ? and amount < 0`, [alice.accountId]);
    expect(n).toBe(10);

    const route = { method: 'POST', route: '/api/v1/transfers', status: '201' };
    expect(sample(after, 'bankingcore_http_request_duration_seconds_count', route)).toBeGreaterThanOrEqual(11);
    expect(after).not.toMatch(new RegExp(alice.accountId)); // ids never become labels
    expect(sample(after, 'bankingcore_http_request_duration_seconds_count', { route: '/api/v1/accounts/:id/transactions' })).toBeUndefined();
    await t.http().get(`/api/v1/accounts/${alice.accountId}/transactions`).set(bearer(alice.accessToken)).expect(200);
    expect(sample(await scrape(), 'bankingcore_http_request_duration_seconds_count', { route: '/api/v1/accounts/:id/transactions', status: '200' })).toBe(1);
  });

  it('exposes the outbox lag, the queues, the sockets, the lockouts and the process', async () => {
    const text = await scrape();
    // No relay runs in this process, so events wait: the lag is a positive age in seconds.
    expect(sample(text, 'bankingcore_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    for (const queue of ['request-triage', 'request-fulfilment', 'request-expiry']) {
      expect(sample(text, 'bankingcore_queue_jobs', { queue, state: 'waiting' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'bankingcore_queue_jobs_finished', { queue, outcome: 'completed' })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'bankingcore_sockets_connected')).toBe(0);
    expect(sample(text, 'bankingcore_lockouts')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'bankingcore_process_resident_memory_bytes')).toBeGreaterThan(0);

    const c = await t.newCustomer();
    const lockoutsBefore = sample(text, 'bankingcore_lockouts')!;
    for (let i = 0; i < 5; i++) await t.http().post('/api/v1/auth/login').send({ email: c.email, password: `wrong-${i}` });
    expect(sample(await scrape(), 'bankingcore_lockouts')).toBeGreaterThanOrEqual(lockoutsBefore + 1);
    await t.http().get('/api/v1/metrics').expect(200);
  });
});

describe('the Grafana dashboard (deploy/grafana)', () => {
  it('charts only series the api exposes', async () => {
    const dashboard = JSON.parse(readFileSync('deploy/grafana/bankingcore-dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const t = await TestApp.start();
    try {
      const exposed = new Set((await t.http().get('/metrics').expect(200)).text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]));
      const referenced = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/bankingcore_[a-z0-9_]+/g) ?? []));
      expect(referenced.length).toBeGreaterThanOrEqual(dashboard.panels.length);
      // A histogram's series carry _bucket / _count / _sum after the name it is declared with.
      const missing = referenced.filter((name) => !exposed.has(name) && !exposed.has(name.replace(/_(bucket|count|sum)$/, '')));
      expect(missing).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
