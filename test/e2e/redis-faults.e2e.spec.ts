import { randomUUID } from 'node:crypto';
import type { TransactionPostedData } from '@bank/contracts/events';
import type { RequestView } from '@bank/contracts/requests';
import { type Answer, type Customer, FaultyPlatform } from '../support/faulty-platform';
import { eventually, expectStrictlyIncreasingIds, LiveClient } from '../support/live-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MONEY_LIMIT = 15;

/**
 * Issue 15: Redis cut off for 10 s (through a TCP proxy in front of the shared server, under
 * `npm start`, rate limits on). Money keeps moving — limited by the per-process fallback, never a
 * 500; service requests are accepted at once and reach the queue once Redis is back; live events
 * resume with nothing lost; one request per Idempotency-Key; no process restarts.
 */
describe('Redis cut for 10 s with rate limits on', () => {
  let platform: FaultyPlatform;
  beforeAll(async () => {
    platform = await FaultyPlatform.start('rediscut', {
      RATE_LIMITS: 'on',
      RATE_LIMIT_MONEY_PER_USER: `${MONEY_LIMIT}/60`,
      REQUEST_SWEEP_AFTER_S: '2',
      REQUEST_SWEEP_INTERVAL_S: '1',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(() => platform?.stop());

  const transfer = (from: Customer, to: Customer, key = `fault-${randomUUID()}`) =>
    platform.call<{ transaction: { id: string } }>('POST', '/api/v1/transfers', {
      token: from.token,
      headers: { 'idempotency-key': key },
      body: { fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount: 3, description: key },
    });
  const fileRequest = (customer: Customer, key: string) =>
    platform.call<RequestView>('POST', '/api/v1/service-requests', {
      token: customer.token,
      headers: { 'idempotency-key': key },
      body: { type: 'kyc_update', details: { address: `${key.slice(-6)} Outage Road, Leeds`, phone: '0113 496 0000' } },
    });

  it('keeps money moving under the fallback limit, accepts requests at once, and loses no live event', async () => {
    const [alice, bob, carol] = await Promise.all([platform.customer(100_000), platform.customer(100_000), platform.customer(100_000)]);
    const watcher = await LiveClient.resuming(platform.base, alice.token, '0');
    expect((await transfer(alice, bob)).status).toBe(201);
    await eventually(() => watcher.ofType('transaction.posted').length === 2, 'the first transfer live');

    platform.redis.cut();
    const cutAt = Date.now();
    await sleep(300);

    // Money: Carol's transfers pass until the fallback's limit, then 429 — never a 500 or 503.
    const during: Answer[] = [];
    for (let i = 0; i < MONEY_LIMIT + 5; i++) during.push(await transfer(carol, alice));
    const statuses = during.map((answer) => answer.status);
    expect(new Set(statuses)).toEqual(new Set([201, 429]));
    expect(statuses.filter((status) => status === 201).length).toBeLessThanOrEqual(MONEY_LIMIT);
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(MONEY_LIMIT - 1);
    const aliceToBob = await transfer(alice, bob);
    expect(aliceToBob.status).toBe(201);

    // Service requests: accepted at once (the enqueue gives up, the row is committed), one per key.
    const keys = [`request-${randomUUID()}`, `request-${randomUUID()}`];
    const filed: RequestView[] = [];
    for (const key of keys) {
      const answer = await fileRequest(bob, key);
      expect(answer.status).toBe(202);
      expect(answer.ms).toBeLessThan(3_000);
      expect(answer.body.status).toBe('submitted');
      filed.push(answer.body);
      const again = await fileRequest(bob, key);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(answer.body.id);
    }
    // Readiness says Redis is down.
    expect((await platform.call('GET', '/health/ready')).status).toBe(503);

    await sleep(10_000 - (Date.now() - cutAt));
    platform.redis.restore();

    // After the outage: the requests reach the queue (triaged by the worker), once each.
    for (const request of filed) {
      await eventually(async () => (await platform.call<RequestView>('GET', `/api/v1/service-requests/${request.id}`, { token: bob.token })).body.status === 'pending_review', `request ${request.id} triaged`, 20_000);
    }
    for (const [i, key] of keys.entries()) expect((await fileRequest(bob, key)).body.id).toBe(filed[i].id);
    const [{ n: requests }] = await platform.sql<{ n: number }>('select count(*)::int as n from service_requests where owner_id = $1', [bob.userId]);
    expect(requests).toBe(keys.length);
    await platform.answersWithin(() => platform.call('GET', '/health/ready'), 200, 10_000);

    // Money is limited by Redis again: the next check after the fallback's back-off finds it back.
    let after: Answer<{ transaction: { id: string } }>;
    const deadline = Date.now() + 15_000;
    do {
      after = await transfer(bob, alice);
      expect(after.status).toBe(201);
      await sleep(500);
    } while (!/Redis counts rate limits again/.test(platform.launcher.output) && Date.now() < deadline);
    expect(platform.launcher.output).toMatch(/Redis counts rate limits again/);

    // Live events: what was posted during the outage arrives, and what is posted after it; each once, in order.
    const [{ ids }] = await platform.sql<{ ids: string[] }>('select array_agg(distinct transaction_id::text) as ids from ledger_entries where account_id = $1', [alice.accountId]);
    const posted = () => watcher.ofType('transaction.posted').map((event) => (event.data as TransactionPostedData).transactionId);
    await eventually(() => new Set(posted()).size === ids.length, `all ${ids.length} postings of Alice live`, 15_000);
    expect(new Set(posted())).toEqual(new Set(ids));
    expect(posted()).toContain(after.body.transaction.id);
    expectStrictlyIncreasingIds(watcher.events.filter((event, i, all) => all.findIndex((other) => other.id === event.id) === i));
    watcher.close();

    // Logged once per outage per client, never an unhandled error event, and no process restarted.
    expect(platform.launcher.output).not.toMatch(/Unhandled error event/);
    expect(platform.launcher.output).toMatch(/lost Redis/);
    expect(platform.launcher.output).toMatch(/Redis is unavailable for rate limits/);
    expect(platform.launcher.output).not.toMatch(/exited \(/);
    const lostLines = platform.launcher.output.match(/lost Redis/g) ?? [];
    expect(lostLines.length).toBeLessThan(20);
  });

  it('stops cleanly, and soon, while Redis is unreachable (no close waits for it to come back)', async () => {
    platform.redis.cut();
    await sleep(500);
    const started = Date.now();
    const exit = await platform.launcher.stop(20_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(platform.launcher.output).toMatch(/worker stopped/);
    expect(platform.launcher.output).toMatch(/api stopped/);
  });
});
