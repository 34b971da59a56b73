import type Redis from 'ioredis';

/**
 * Workers prove they are alive by refreshing their score (the time) in one sorted set; the api's
 * readiness counts the members seen recently.
 */
const WORKER_HEARTBEATS_KEY = 'worker:heartbeats';
export const WORKER_HEARTBEAT_INTERVAL_MS = 2_000;
export const WORKER_HEARTBEAT_TTL_MS = 10_000;

export async function beatWorkerHeart(redis: Redis, workerId: string, nowMs = Date.now()): Promise<void> {
  await redis
    .multi()
    .zadd(WORKER_HEARTBEATS_KEY, nowMs, workerId)
    .zremrangebyscore(WORKER_HEARTBEATS_KEY, '-inf', nowMs - WORKER_HEARTBEAT_TTL_MS)
    .exec();
}

export async function stopWorkerHeart(redis: Redis, workerId: string): Promise<void> {
  await redis.zrem(WORKER_HEARTBEATS_KEY, workerId);
}

export function countLiveWorkers(redis: Redis, nowMs = Date.now()): Promise<number> {
  return redis.zcount(WORKER_HEARTBEATS_KEY, nowMs - WORKER_HEARTBEAT_TTL_MS, '+inf');
}

export function liveWorkerIds(redis: Redis, nowMs = Date.now()): Promise<string[]> {
  return redis.zrangebyscore(WORKER_HEARTBEATS_KEY, nowMs - WORKER_HEARTBEAT_TTL_MS, '+inf');
}

/** `<hostname>:<pid>:<random>`: a container's health check finds its own worker by the hostname. */
export function newWorkerId(hostname: string, pid: number, random: string): string {
  return `${hostname}:${pid}:${random}`;
}
