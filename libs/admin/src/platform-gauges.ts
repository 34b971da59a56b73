import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { REQUEST_QUEUES } from '@bank/requests/request-jobs';
import { LiveEventsHub } from '@bank/realtime/live-events.hub';
import { OutboxService } from '@bank/outbox/outbox.service';
import { MetricsRegistry } from '@bank/metrics/metrics.registry';
import { SecurityEventsService } from '@bank/security/security-events.service';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/**
 * Series read when Prometheus scrapes: they describe the whole platform (from PostgreSQL and
 * Redis, whichever api process answers), except the sockets, which are this process's own.
 */
@Injectable()
export class PlatformGauges implements OnModuleInit {
  private readonly queues: Queue[];

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly outbox: OutboxService,
    private readonly securityEvents: SecurityEventsService,
    private readonly hub: LiveEventsHub,
    @InjectQueue(REQUEST_QUEUES.triage) triage: Queue,
    @InjectQueue(REQUEST_QUEUES.fulfilment) fulfilment: Queue,
    @InjectQueue(REQUEST_QUEUES.expiry) expiry: Queue,
  ) {
    this.queues = [triage, fulfilment, expiry];
  }

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const { outbox, securityEvents, queues, hub } = this;

    new Gauge({
      name: 'bankingcore_outbox_lag_seconds',
      help: 'Age of the oldest event not yet published by the relay (0 when none waits)',
      registers,
      async collect() {
        this.set(await outbox.lagSeconds());
      },
    });
    new Gauge({
      name: 'bankingcore_queue_jobs',
      help: 'Jobs in each request queue by state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'bankingcore_queue_jobs_finished',
      help: 'Jobs finished so far in each request queue, by outcome (BullMQ metrics, counted by every worker)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
      async collect() {
        for (const queue of queues) {
          for (const outcome of ['completed', 'failed'] as const) this.set({ queue: queue.name, outcome }, (await queue.getMetrics(outcome)).meta.count);
        }
      },
    });
    new Gauge({
      name: 'bankingcore_sockets_connected',
      help: 'Live Socket.IO connections on this api process',
      registers,
      collect() {
        this.set(hub.connectedSockets);
      },
    });
    new Gauge({
      name: 'bankingcore_lockouts',
      help: 'Users locked so far (account.locked in the security trail: lockouts and admin locks)',
      registers,
      async collect() {
        this.set(await securityEvents.countLockouts());
      },
    });
  }
}
