import type { ThrottlerStorage } from '@nestjs/throttler';
import { FallbackThrottlerStorage, type RateLimitFallbackEvent } from './fallback-throttler-storage';
import { isRedisUnavailable, RedisTimeoutError } from './redis-availability';

type Answer = 'ok' | 'down' | 'hang' | Error;

/** A Redis storage whose every answer the test decides. */
class FakeRedisStorage implements ThrottlerStorage {
  answer: Answer = 'ok';
  calls = 0;
  async increment(_key: string, ttl: number): ReturnType<ThrottlerStorage['increment']> {
    this.calls++;
    if (this.answer === 'down') throw Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' });
    if (this.answer === 'hang') return new Promise(() => undefined);
    if (this.answer instanceof Error) throw this.answer;
    return { totalHits: 1, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
  }
}

describe('FallbackThrottlerStorage', () => {
  let inner: FakeRedisStorage;
  let clock: number;
  let ready: boolean;
  let events: Record<RateLimitFallbackEvent, number>;
  let logs: { warn: string[]; log: string[] };
  let storage: FallbackThrottlerStorage;

  beforeEach(() => {
    inner = new FakeRedisStorage();
    clock = 1_000_000;
    ready = true;
    events = { switched: 0, counted: 0, recovered: 0 };
    logs = { warn: [], log: [] };
    storage = new FallbackThrottlerStorage(inner, {
      redisReady: () => ready,
      backoffMs: 1_000,
      timeoutMs: 50,
      now: () => clock,
      metrics: { inc: ({ event }, value = 1) => void (events[event] += value) },
      logger: { warn: (message: string) => void logs.warn.push(message), log: (message: string) => void logs.log.push(message) },
    });
  });
  afterEach(() => storage.onApplicationShutdown());

  const hit = (key = 'k', limit = 2) => storage.increment(key, 60_000, limit, 60_000, 'money-user');

  it('counts in Redis while Redis answers, and nothing is logged or counted as a fallback', async () => {
    await expect(hit()).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    await hit();
    expect(inner.calls).toBe(2);
    expect(storage.inFallback).toBe(false);
    expect(events).toEqual({ switched: 0, counted: 0, recovered: 0 });
    expect(logs).toEqual({ warn: [], log: [] });
  });

  it('on a Redis failure counts in-process with the limit still in force, one warning for the whole outage', async () => {
    inner.answer = 'down';
    const records = [];
    for (let i = 0; i < 4; i++) records.push(await hit('alice', 2));
    expect(records.map((r) => r.isBlocked)).toEqual([false, false, true, true]);
    expect(records[2].timeToBlockExpire).toBeGreaterThanOrEqual(59);
    // Only the first check asked Redis; the rest were inside the back-off.
    expect(inner.calls).toBe(1);
    expect(storage.inFallback).toBe(true);
    expect(events).toEqual({ switched: 1, counted: 4, recovered: 0 });
    expect(logs.warn).toHaveLength(1);
    expect(logs.warn[0]).toMatch(/Redis is unavailable for rate limits \(Reached the max retries/);
    expect(logs.log).toEqual([]);
  });

  it('after the back-off one check tries Redis again; a failing try stays in-process silently, a good one switches back with one info line', async () => {
    inner.answer = 'down';
    await hit();
    clock += 999;
    await hit();
    expect(inner.calls).toBe(1);
    clock += 1;
    await hit();
    expect(inner.calls).toBe(2);
    expect(logs.warn).toHaveLength(1);
    expect(events.switched).toBe(1);
    clock += 1_000;
    inner.answer = 'ok';
    await expect(hit()).resolves.toMatchObject({ totalHits: 1 });
    expect(inner.calls).toBe(3);
    expect(storage.inFallback).toBe(false);
    expect(logs.log).toEqual([expect.stringMatching(/^Redis counts rate limits again after 2\.0 s \(3 checks were counted in this process meanwhile\)$/)]);
    expect(events).toEqual({ switched: 1, counted: 3, recovered: 1 });
    await hit();
    expect(inner.calls).toBe(4);
    expect(events.counted).toBe(3);
  });

  it('does not ask Redis at all while its client is not connected, and tries again once it is', async () => {
    ready = false;
    await hit();
    clock += 5_000;
    await hit();
    expect(inner.calls).toBe(0);
    expect(events).toEqual({ switched: 1, counted: 2, recovered: 0 });
    expect(logs.warn[0]).toMatch(/not connected/);
    ready = true;
    await hit();
    expect(inner.calls).toBe(1);
    expect(events.recovered).toBe(1);
  });

  it('does not wait on a Redis that does not answer: a timeout is a failure', async () => {
    inner.answer = 'hang';
    const started = Date.now();
    await expect(hit()).resolves.toMatchObject({ totalHits: 1 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(storage.inFallback).toBe(true);
    expect(logs.warn[0]).toMatch(/did not answer within 50 ms/);
  });

  it('while one check tries Redis again, the others count in-process instead of waiting with it', async () => {
    inner.answer = 'down';
    await hit();
    clock += 1_000;
    inner.answer = 'hang';
    const probe = hit('a');
    const others = await Promise.all([hit('b'), hit('c')]);
    expect(others).toHaveLength(2);
    expect(inner.calls).toBe(2);
    await probe;
    expect(events.counted).toBe(4);
    expect(storage.inFallback).toBe(true);
  });

  it('an error that is not Redis being unavailable is not hidden', async () => {
    inner.answer = new TypeError('Expected totalHits to be a number');
    await expect(hit()).rejects.toThrow('Expected totalHits to be a number');
    expect(storage.inFallback).toBe(false);
    expect(events.switched).toBe(0);
  });

  it('several checks failing at once switch once', async () => {
    inner.answer = 'down';
    await Promise.all([hit('a'), hit('b'), hit('c')]);
    expect(inner.calls).toBe(3);
    expect(events).toEqual({ switched: 1, counted: 3, recovered: 0 });
    expect(logs.warn).toHaveLength(1);
  });
});

describe('isRedisUnavailable', () => {
  it.each([
    ['MaxRetriesPerRequestError', Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' })],
    ['a closed connection', new Error('Connection is closed.')],
    ['no offline queue', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a loading server', new Error('LOADING Redis is loading the dataset in memory')],
    ['a read-only replica', new Error("READONLY You can't write against a read only replica.")],
    ['a timeout', new RedisTimeoutError(500)],
  ])('%s is unavailability', (_, error) => expect(isRedisUnavailable(error)).toBe(true));

  it.each([
    ['a bad reply', new TypeError('Expected result to be array of values, got null')],
    ['a wrong command', new Error("ERR wrong number of arguments for 'set' command")],
    ['not an error', 'Connection is closed.'],
  ])('%s is not', (_, error) => expect(isRedisUnavailable(error)).toBe(false));
});
