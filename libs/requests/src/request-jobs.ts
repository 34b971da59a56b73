import { MetricsTime, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { AppConfig } from '@bank/config/app-config';

/** Every queue of the request pipeline and what its jobs carry: ids only, never secrets (DESIGN.md). */
export const REQUEST_QUEUES = {
  triage: 'request-triage',
  fulfilment: 'request-fulfilment',
  /** Delayed: fires when an `awaiting_customer` request's input window has passed. */
  expiry: 'request-expiry',
} as const;
export type RequestQueue = keyof typeof REQUEST_QUEUES;

export interface RequestJobData {
  requestId: string;
}

/** Deterministic job ids: enqueueing a step twice (a retry, the sweep) makes one job. */
export function requestJobId(queue: RequestQueue, requestId: string): string {
  return `${requestId}-${queue}`;
}

export const REQUEST_JOB_ATTEMPTS = 5;

/**
 * The jobs are short database transactions, so a worker that died holding one is noticed after
 * seconds, not BullMQ's default 30: its lock lapses and the stalled-job check hands the job on.
 */
export const REQUEST_WORKER_OPTIONS = {
  concurrency: 8,
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
  // Completed/failed counts kept in Redis by every worker, read by the api's /metrics.
  metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
} as const;

export const REQUEST_JOB_OPTIONS: JobsOptions = {
  attempts: REQUEST_JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: 200 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function bullConnection(config: AppConfig): ConnectionOptions {
  const url = new URL(config.redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** For queues that only add jobs: a command gives up after one failed reconnection or 2 s without an answer. */
export function producerConnection(config: AppConfig): ConnectionOptions {
  return { ...bullConnection(config), maxRetriesPerRequest: 1, commandTimeout: 2_000 } as ConnectionOptions;
}

/** How long an enqueue may take before the caller moves on (the sweep enqueues it later). */
export const ENQUEUE_TIMEOUT_MS = 2_000;

export function bullPrefix(config: AppConfig): string {
  return `${config.redisKeyPrefix}bull`;
}
