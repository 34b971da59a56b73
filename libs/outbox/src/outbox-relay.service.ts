import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import Redis from 'ioredis';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { pgSessionOptions } from '@bank/db/pg-session-options';
import { unavailableDependency } from '@bank/problems/dependency-failure';
import { watchRedis } from '@bank/redis/redis-health';
import { eventsChannel, toEnvelope, type PublishedEvent } from './event-stream';
import { OutboxRelayRepository } from './outbox-relay.repository';

const BATCH_SIZE = 1_000;
const BACKSTOP_POLL_MS = 500;
/**
 * Drains start at most this often. Under load every commit notifies; a short pause lets the
 * commits of those milliseconds share one drain (two statements and one publish) instead of one
 * drain each, for at most this much added delay.
 */
const DRAIN_INTERVAL_MIN_MS = 20;
const STANDBY_RETRY_MS = 1_000;
/** After a lost connection: the first retry, doubling up to the last. */
const RECONNECT_BACKOFF_MIN_MS = 200;
const RECONNECT_BACKOFF_MAX_MS = 5_000;
const SESSION_END_WAIT_MS = 1_000;

/**
 * A publish unanswered this long is given up (and tried again at the next wake-up, from the same
 * progress): a command written to a connection that was cut and came back, under load, could
 * otherwise wait for ever — and with it every later drain and the worker's shutdown.
 */
const PUBLISH_TIMEOUT_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The outbox relay (worker side). One relay at a time is leader (a PostgreSQL advisory lock).
 * Woken by NOTIFY at every commit that appends events (and by a slow poll as a backstop), it:
 *  1. numbers the committed, unnumbered rows in the order it sees them — the public event id,
 *     strictly increasing, in commit order for any one recipient;
 *  2. publishes the numbered rows past the stored progress to Redis, in id order;
 *  3. stores the progress (the last id published) with the next drain's statement.
 * A crash before 3 publishes those again on restart (at least once); clients drop duplicates by id.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private db: Client | undefined;
  private redis: Redis | undefined;
  private stopped = false;
  private leader = false;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private lastDrainAt = 0;
  /** The last event id published to Redis, not yet stored as the progress. */
  private publishedSeq: string | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;

  /** Set while a session is up: ends it (its connection was lost). */
  private sessionLost: ((error: Error) => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly relay: OutboxRelayRepository,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.redis = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 2, commandTimeout: PUBLISH_TIMEOUT_MS });
    watchRedis(this.redis, 'outbox relay (publisher)', this.logger);
    this.running = this.keepSessions();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.sessionLost?.(new Error('shutting down'));
    await this.running?.catch(() => undefined);
    this.redis?.disconnect();
  }

  /**
   * One session after another until the process stops: a lost connection (PostgreSQL restarted,
   * the network cut) ends the session — and with it the leader lock, which PostgreSQL releases —
   * and a new one starts after a back-off, campaigns, and resumes from the stored progress. The
   * process itself never exits for it.
   */
  private async keepSessions(): Promise<void> {
    let lostAt: number | null = null;
    let backoffMs = RECONNECT_BACKOFF_MIN_MS;
    while (!this.stopped) {
      const db = new Client({ ...pgSessionOptions(this.config), application_name: 'bankingcore-outbox-relay' });
      const lost = new Promise<Error>((resolve) => (this.sessionLost = resolve));
      db.on('error', (error) => this.sessionLost?.(error));
      db.on('end', () => this.sessionLost?.(new Error('the connection ended')));
      try {
        await db.connect();
        this.db = db;
        if (lostAt !== null) this.logger.log(`outbox relay reconnected to PostgreSQL after ${((Date.now() - lostAt) / 1000).toFixed(1)} s`);
        lostAt = null;
        backoffMs = RECONNECT_BACKOFF_MIN_MS;
        const ended = await Promise.race([this.campaign(db).then(() => lost), lost]);
        if (!this.stopped) throw ended;
      } catch (error) {
        if (this.stopped) break;
        if (lostAt === null) {
          lostAt = Date.now();
          this.logger.warn(`outbox relay lost PostgreSQL (${(error as Error).message}); reconnecting`);
        }
      } finally {
        await this.endSession(db);
      }
      if (!this.stopped) await sleep(backoffMs);
      backoffMs = Math.min(RECONNECT_BACKOFF_MAX_MS, backoffMs * 2);
    }
  }

  /** Stops leading: timers off, the drain in progress finished, the progress stored if the connection still works. */
  private async endSession(db: Client): Promise<void> {
    const wasLeader = this.leader;
    this.leader = false;
    this.sessionLost = undefined;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.draining?.catch(() => undefined);
    if (wasLeader && this.publishedSeq !== null) {
      await this.relay.storeProgress(db, this.publishedSeq).catch(() => undefined);
    }
    // The next session reads the progress from the database: another relay may have led meanwhile.
    this.publishedSeq = null;
    this.db = undefined;
    // A stalled connection may never confirm its end: stop waiting after a while.
    await Promise.race([db.end().catch(() => undefined), sleep(SESSION_END_WAIT_MS)]);
  }

  /** Waits (standing by) until this session holds the leader lock, then listens and drains. */
  private async campaign(db: Client): Promise<void> {
    while (!this.stopped) {
      if (await this.relay.tryLeaderLock(db)) break;
      await sleep(STANDBY_RETRY_MS);
    }
    if (this.stopped) return;
    this.leader = true;
    this.logger.log('outbox relay is the leader');
    db.on('notification', () => this.wake());
    await this.relay.listenForAppends(db);
    this.timers.push(setInterval(() => this.wake(), BACKSTOP_POLL_MS));
    this.wake();
  }

  /** Coalesces wake-ups: one drain at a time, one more if woken while draining, and not more often than DRAIN_INTERVAL_MIN_MS. */
  private wake(): void {
    if (this.stopped || !this.leader) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    const pauseMs = this.lastDrainAt + DRAIN_INTERVAL_MIN_MS - Date.now();
    this.draining = (pauseMs > 0 ? new Promise((resolve) => setTimeout(resolve, pauseMs)) : Promise.resolve())
      .then(() => {
        this.lastDrainAt = Date.now();
        return this.drain();
      })
      .catch((error: Error) => this.drainFailed(error))
      .finally(() => {
        this.draining = undefined;
        if (this.drainAgain) {
          this.drainAgain = false;
          this.wake();
        }
      });
  }

  /**
   * A drain that PostgreSQL did not answer (lost, stalled) ends the session: a new connection after
   * a back-off, one line per outage. One that Redis refused is tried again at the next wake-up —
   * the events wait in the outbox, and the publisher's client logs the outage once.
   */
  private drainFailed(error: Error): void {
    const dependency = unavailableDependency(error);
    if (dependency === 'postgresql') this.sessionLost?.(error);
    else if (dependency !== 'redis') this.logger.error({ err: error }, 'outbox relay drain failed; retrying');
  }

  private async drain(): Promise<void> {
    for (;;) {
      const published = await this.publishPending();
      if (this.stopped || published < BATCH_SIZE) return;
    }
  }

  /**
   * One round trip to PostgreSQL per drain (the repository's drain statement), and no write per
   * published event; the rows go to Redis in id order.
   */
  private async publishPending(): Promise<number> {
    const rows = await this.relay.drain(this.db!, this.publishedSeq ?? '0', BATCH_SIZE);
    if (rows.length === 0) return 0;
    const batch: PublishedEvent[] = rows.map((row) => ({ recipient: row.recipient, envelope: toEnvelope(row) }));
    await this.redis!.publish(eventsChannel(this.config.redisKeyPrefix), JSON.stringify(batch));
    this.publishedSeq = String(rows[rows.length - 1].event_seq);
    return rows.length;
  }
}
