import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { MetricsRegistry } from '@bank/metrics/metrics.registry';
import { REDIS } from '@bank/redis/redis.module';
import { freePort } from '../../../../test/support/processes';
import { bearer, TestApp, type TestCustomer } from '../../../../test/support/test-app';
import type { RateLimitFallbackEvent } from './fallback-throttler-storage';

/** A redis-server of this test's own on a port it keeps, so it can be stopped and started again. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return child;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('rate limits while Redis is down (a Redis server of the test’s own, stopped and started again)', () => {
  let port: number;
  let server: ChildProcess | undefined;
  let t: TestApp;
  let warned: jest.SpyInstance;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    // Every Nest Logger call of the process, whatever the log level (the logs themselves are silent).
    warned = jest.spyOn(Logger.prototype, 'warn');
    logged = jest.spyOn(Logger.prototype, 'log');
    port = await freePort();
    server = await startRedis(port);
    t = await TestApp.start({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMITS: 'on', RATE_LIMIT_MONEY_PER_USER: '3/60' });
  });

  afterAll(async () => {
    await t?.close();
    await stopRedis(server);
    warned?.mockRestore();
    logged?.mockRestore();
  });

  const fallbackEvents = async (): Promise<Record<RateLimitFallbackEvent, number>> => {
    const { values } = await t.app.get(MetricsRegistry).rateLimitFallback.get();
    const count = (event: RateLimitFallbackEvent) => values.find((v) => v.labels.event === event)?.value ?? 0;
    return { switched: count('switched'), counted: count('counted'), recovered: count('recovered') };
  };
  const linesOf = (spy: jest.SpyInstance, pattern: RegExp) => spy.mock.calls.filter(([message]) => typeof message === 'string' && pattern.test(message));
  /** Deposits one after another; each answer's status and how long it took. */
  const deposits = async (who: TestCustomer, count: number) => {
    const answers: Array<{ status: number; ms: number; body: Record<string, unknown>; retryAfter: string | undefined }> = [];
    for (let i = 0; i < count; i++) {
      const started = Date.now();
      const response = await t.http().post(`/api/v1/accounts/${who.accountId}/deposits`).set(bearer(who.accessToken)).set('Idempotency-Key', randomUUID()).send({ amount: 100 });
      answers.push({ status: response.status, ms: Date.now() - started, body: response.body, retryAfter: response.headers['retry-after'] });
    }
    return answers;
  };
  const rateLimitedEventsOf = async (userId: string) =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'rate_limited' and user_id = ?`, [userId]))[0].n;

  it('counts in Redis, then in-process while Redis is down (201 or 429, never 500, never waiting), then in Redis again', async () => {
    const [alice, bob] = [await t.newCustomer(), await t.newCustomer()];

    // Redis up: the limit holds across processes, counted in Redis.
    expect((await deposits(alice, 5)).map((a) => a.status)).toEqual([201, 201, 201, 429, 429]);
    expect(await fallbackEvents()).toEqual({ switched: 0, counted: 0, recovered: 0 });

    // Redis down: this process enforces the limit on its own; the 429 is a problem document and still sampled.
    await stopRedis(server);
    server = undefined;
    const during = await deposits(bob, 5);
    expect(during.map((a) => a.status)).toEqual([201, 201, 201, 429, 429]);
    for (const answer of during) expect(answer.ms).toBeLessThan(2_000);
    expect(during[3].body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(during[3].retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await t.balanceOf(bob.accountId)).toBe(300);
    expect(await rateLimitedEventsOf(bob.user.id)).toBe(1);
    expect(await fallbackEvents()).toMatchObject({ switched: 1, counted: 5, recovered: 0 });
    expect(linesOf(warned, /^Redis is unavailable for rate limits/)).toHaveLength(1);

    // Redis back on the same port (empty): once the client has reconnected and the back-off has
    // passed, the next check goes to Redis — a fresh window there, where in-process Bob is refused.
    server = await startRedis(port);
    const redis = t.app.get<Redis>(REDIS);
    const deadline = Date.now() + 10_000;
    while (redis.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(redis.status).toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await deposits(bob, 4)).map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(await t.balanceOf(bob.accountId)).toBe(600);
    expect(await fallbackEvents()).toEqual({ switched: 1, counted: 5, recovered: 1 });
    expect(linesOf(logged, /^Redis counts rate limits again after [\d.]+ s \(5 checks were counted in this process meanwhile\)$/)).toHaveLength(1);
    expect(linesOf(warned, /^Redis is unavailable for rate limits/)).toHaveLength(1);
    const own = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const keys = await own.keys('*rate-limit:money-user:*:hits');
      expect(keys).toHaveLength(1);
      expect(await own.get(keys[0])).toBe('4');
    } finally {
      own.disconnect();
    }
  });
});
