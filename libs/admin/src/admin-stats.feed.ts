import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { EventType } from '@bank/contracts/events';
import { LiveEventsHub } from '@bank/realtime/live-events.hub';
import { AdminStatsService } from './admin-stats.service';

/** At most one recomputation per this long per api process, however busy the bank is. */
export const ADMIN_STATS_PUSH_MIN_INTERVAL_MS = 1_000;

/** The events after which some number of `GET /admin/stats` may have moved. */
const MOVES_STATS: ReadonlySet<EventType> = new Set<EventType>(['transaction.posted', 'request.updated', 'hold.updated', 'user.locked', 'user.unlocked', 'security.event']);

/**
 * Keeps the admins' tiles live: when the relay publishes an event that can move the dashboard's
 * numbers and an admin is connected to this process, the numbers are read again and pushed to
 * this process's admin sockets as the `admin.stats` signal — throttled (the trailing push carries
 * the latest), and never read when no admin is watching. Cheaper than adding admins as recipients
 * of every money event (outbox rows on the hot path), and exact, unlike counting in the browser.
 */
@Injectable()
export class AdminStatsFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AdminStatsFeed.name);
  private timer: NodeJS.Timeout | undefined;
  private lastPushAtMs = 0;
  private running = false;
  /** An event arrived while a push was reading: push once more after it. */
  private again = false;

  constructor(
    private readonly hub: LiveEventsHub,
    private readonly stats: AdminStatsService,
    private readonly orm: MikroORM,
  ) {}

  onModuleInit(): void {
    this.hub.onBatch((types) => {
      if ([...types].some((type) => MOVES_STATS.has(type))) this.schedule();
    });
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.hub.localSockets('role:admin').length === 0) return;
    // A push already waiting reads after this event's commit; one running may have read before it.
    if (this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const waitMs = Math.max(0, this.lastPushAtMs + ADMIN_STATS_PUSH_MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => void this.push(), waitMs);
  }

  private async push(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.lastPushAtMs = Date.now();
    try {
      const stats = await RequestContext.create(this.orm.em, () => this.stats.stats());
      for (const socket of this.hub.localSockets('role:admin')) socket.emit('admin.stats', stats);
    } catch (error) {
      this.logger.warn({ err: error }, 'admin stats not pushed; the next event tries again');
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
