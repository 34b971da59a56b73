import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Money-moving POSTs by what they were and how they ended: `posted`, `replayed`, or the problem code. */
export const MONEY_KINDS = ['deposit', 'withdrawal', 'transfer'] as const;
export type MoneyKind = (typeof MONEY_KINDS)[number];

/**
 * This process's Prometheus registry (one per app, not prom-client's global one, so that several
 * apps in one test process do not collide) and the series updated as things happen. Series read
 * at scrape time (outbox lag, queues, sockets, lockouts) are added by their own collectors.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'bankingcore_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly moneyMovements = new Counter({
    name: 'bankingcore_money_movements_total',
    help: 'Deposits, withdrawals and transfers asked for, by outcome (posted, replayed, or the problem code)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly dependencyUnavailable = new Counter({
    name: 'bankingcore_dependency_unavailable_total',
    help: 'Requests answered 503 because PostgreSQL or Redis did not answer',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  readonly moneyBatchCommands = new Histogram({
    name: 'bankingcore_money_batch_commands',
    help: 'Money commands per call to PostgreSQL (group commit: commands that arrive together share one transaction)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });

  readonly rateLimitFallback = new Counter({
    name: 'bankingcore_rate_limit_fallback_total',
    help: 'Rate limits while Redis is unavailable: switched (to counting in this process), counted (a limit checked in this process), recovered (Redis counts again)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bankingcore_' });
  }
}
