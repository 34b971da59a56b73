import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import { REDIS } from '@bank/redis/redis.module';
import type { PresenceViewer } from '@bank/contracts/presence';

/** A viewer on the wire into Redis: which socket, which user, the name shown. */
export interface PresenceEntry {
  socketId: string;
  userId: string;
  fullName: string;
}

/** A request's viewers after a change, and the change's version (increasing per request). */
export interface PresenceSnapshot {
  version: number;
  viewers: PresenceViewer[];
}

/** A process refreshes its sockets' viewings this often; one not refreshed for STALE_AFTER_MS (its process died) is dropped. */
export const PRESENCE_REFRESH_MS = 30_000;
const STALE_AFTER_MS = 3 * PRESENCE_REFRESH_MS;
const KEY_TTL_S = Math.ceil((STALE_AFTER_MS * 2) / 1000);

/**
 * One change of a request's viewers, atomically: the member added or removed, the stale ones
 * (of a process that died without saying goodbye) dropped, the version bumped — the Redis time in
 * microseconds, or one more than the last if the clock stood still or went back — and the
 * viewers read. Answers {0} when nothing changed (a leave for a request not viewed).
 * KEYS: the viewers (sorted set: member = entry JSON, score = last refresh in ms), the version.
 * ARGV: 'add' | 'remove', member, now in ms, stale before in ms, key TTL in s.
 */
const CHANGE_VIEWERS = `
local changed
if ARGV[1] == 'add' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  changed = 1
else
  changed = redis.call('ZREM', KEYS[1], ARGV[2])
end
changed = changed + redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
if changed == 0 then return {0} end
local time = redis.call('TIME')
local version = math.max(tonumber(time[1]) * 1000000 + tonumber(time[2]), tonumber(redis.call('GET', KEYS[2]) or '0') + 1)
local text = string.format('%.0f', version)
redis.call('SET', KEYS[2], text, 'EX', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {text, redis.call('ZRANGE', KEYS[1], 0, -1)}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bankingcorePresenceChange(viewersKey: string, versionKey: string, op: 'add' | 'remove', member: string, nowMs: number, staleBeforeMs: number, ttlS: number): Result<[0] | [string, string[]], Context>;
  }
}

/** The viewers of each request, in Redis: shared by every api process, so presence holds across them. */
@Injectable()
export class PresenceStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // The client is shared by the process: define the script once.
    if (typeof (this.redis as unknown as Record<string, unknown>).bankingcorePresenceChange !== 'function') this.redis.defineCommand('bankingcorePresenceChange', { numberOfKeys: 2, lua: CHANGE_VIEWERS });
  }

  /** The request's viewers with this socket among them. */
  async add(requestId: string, entry: PresenceEntry): Promise<PresenceSnapshot> {
    return (await this.change(requestId, 'add', entry))!;
  }

  /** The request's viewers without this socket, or null when it was not among them. */
  remove(requestId: string, entry: PresenceEntry): Promise<PresenceSnapshot | null> {
    return this.change(requestId, 'remove', entry);
  }

  /** Keeps a living process's viewings fresh (never adds one that was removed meanwhile). */
  async refresh(viewings: ReadonlyArray<{ requestId: string; entry: PresenceEntry }>): Promise<void> {
    if (viewings.length === 0) return;
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const { requestId, entry } of viewings) pipeline.zadd(viewersKey(requestId), 'XX', now, member(entry)).expire(viewersKey(requestId), KEY_TTL_S);
    await pipeline.exec();
  }

  private async change(requestId: string, op: 'add' | 'remove', entry: PresenceEntry): Promise<PresenceSnapshot | null> {
    const now = Date.now();
    const answer = await this.redis.bankingcorePresenceChange(viewersKey(requestId), versionKey(requestId), op, member(entry), now, now - STALE_AFTER_MS, KEY_TTL_S);
    if (answer.length === 1) return null;
    const [version, members] = answer;
    return { version: Number(version), viewers: viewersOf(members) };
  }
}

const viewersKey = (requestId: string) => `presence:${requestId}:viewers`;
const versionKey = (requestId: string) => `presence:${requestId}:version`;
const member = (entry: PresenceEntry) => JSON.stringify([entry.socketId, entry.userId, entry.fullName]);

/** One line per person (two tabs of one employee are one viewer), in name order. */
function viewersOf(members: readonly string[]): PresenceViewer[] {
  const byUser = new Map<string, PresenceViewer>();
  for (const text of members) {
    const [, userId, fullName] = JSON.parse(text) as [string, string, string];
    byUser.set(userId, { userId, fullName });
  }
  return [...byUser.values()].sort((a, b) => a.fullName.localeCompare(b.fullName) || a.userId.localeCompare(b.userId));
}
