import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { REQUEST_QUEUES } from '@bank/requests/request-jobs';
import { LiveEventsHub } from '@bank/realtime/live-events.hub';
import { MetricsRegistry } from './metrics.registry';

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
    private readonly em: EntityManager,
    private readonly hub: LiveEventsHub,
    @InjectQueue(REQUEST_QUEUES.triage) triage: Queue,
    @InjectQueue(REQUEST_QUEUES.fulfilment) fulfilment: Queue,
    @InjectQueue(REQUEST_QUEUES.expiry) expiry: Queue,
  ) {
    this.queues = [triage, fulfilment, expiry];
  }

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const query = <T extends object>(sql: string) => this.em.fork().getConnection().execute<T[]>(sql);
    const queues = this.queues;
    const hub = this.hub;

    new Gauge({
      name: 'bankingcore_outbox_lag_seconds',
      help: 'Age of the oldest event not yet published by the relay (0 when none waits)',
      registers,
      async collect() {
        // Two index-backed looks (not yet numbered; numbered past the relay's stored progress): no scan of the table.
        const [row] = await query<{ lag: string | null }>(
          `select extract(epoch from now() - least(
             (select occurred_at from outbox_events where event_seq is null order by id limit 1),
             (select occurred_at from outbox_events where event_seq > (select published_seq from outbox_relay_progress) order by event_seq limit 1))) as lag`,
        );
        this.set(Number(row?.lag ?? 0));
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
        const [row] = await query<{ n: string }>(`select count(*) as n from security_events where type = 'account.locked'`);
        this.set(Number(row?.n ?? 0));
      },
    });
  }
}
