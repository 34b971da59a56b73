import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { utcToday } from '@bank/contracts/schedules';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { Clock } from '@bank/auth/clock';
import { unavailableDependency } from '@bank/problems/dependency-failure';
import { OutageLog } from '@bank/redis/redis-health';
import { closeQueueNow, hasRedisNow } from '@bank/requests/bull-shutdown';
import { ScheduleRunner, type SweepResult } from './schedule-runner';

export const SCHEDULE_SWEEP_QUEUE = 'schedule-sweep';
/** The one repeatable job: every worker upserts the same scheduler, so there is one however many run. */
const SWEEP_SCHEDULER_ID = 'schedule-sweep-every';

/**
 * Runs the due scheduled transfers: a repeatable BullMQ job every SCHEDULE_SWEEP_INTERVAL_S (one
 * worker takes each tick), and once at the worker's start, for the dates missed while no worker ran.
 * A sweep never overlaps another in the same process; across processes the runner's row locks
 * and the ledger's idempotency keys keep each date paid and recorded once.
 */
@Processor(SCHEDULE_SWEEP_QUEUE, { concurrency: 1, lockDuration: 30_000, stalledInterval: 15_000 })
export class ScheduleSweep extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleSweep.name);
  private readonly outage = new OutageLog('the schedule sweep queue', this.logger);
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly runner: ScheduleRunner,
    private readonly clock: Clock,
    @InjectQueue(SCHEDULE_SWEEP_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.on('error', (error) => this.outage.failed(error));
    this.queue.on('error', (error) => this.outage.failed(error));
    void this.sweepLogged('start');
    try {
      await this.queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: this.config.scheduleSweepIntervalS * 1000 }, { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    } catch (error) {
      this.logger.error({ err: error }, 'could not set up the repeatable schedule sweep; due transfers run at the next worker start');
    }
  }

  async process(): Promise<SweepResult> {
    return this.sweep();
  }

  /** The sweep in flight, or a new one: due runs up to today (UTC). */
  sweep(): Promise<SweepResult> {
    this.running ??= this.runner.runDue(utcToday(this.clock.nowMs())).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepLogged(when: string): Promise<void> {
    try {
      const { recorded } = await this.sweep();
      if (recorded > 0) this.logger.log({ recorded }, `schedule sweep at ${when} recorded runs`);
    } catch (error) {
      if (unavailableDependency(error) === null) this.logger.error({ err: error }, `schedule sweep at ${when} failed; the next tick tries again`);
    }
  }

  /** Takes no new tick and lets the current sweep finish while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(!(await hasRedisNow(this.worker)));
    await this.running?.catch(() => undefined);
    // BullMQ's Queue.close leaves the job scheduler that upsertJobScheduler made open (and the process with it).
    await (this.queue as unknown as { _jobScheduler?: { close(): Promise<void> } })._jobScheduler?.close().catch(() => undefined);
    if (!(await hasRedisNow(this.queue))) await closeQueueNow(this.queue);
  }
}
