import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import type { EventEnvelope, EventRecipient, EventType, ServerToClientEvents } from '@bank/contracts/events';
import { eventsChannel, type PublishedEvent } from '@bank/outbox/event-stream';
import { watchRedis } from '@bank/redis/redis-health';
import type { LiveSocket } from './live-socket';

/** The Redis client name of an api's live-event subscription (operators can find it in CLIENT LIST). */
export function liveEventsConnectionName(redisKeyPrefix: string): string {
  return `${redisKeyPrefix.replace(/[^\w:.-]/g, '_')}live-events`;
}

const USER_RECIPIENT_PREFIX = 'user:';

/** How many live events a socket may have waiting while its replay runs, before it is cut off. */
const REPLAY_BUFFER_MAX = 10_000;

/** The one place an envelope goes out on a socket: under its type's name, with that type's payload. */
function emitEnvelope<T extends EventType>(socket: LiveSocket, envelope: EventEnvelope<T>): void {
  // TypeScript cannot see that a generic T's envelope is that T's parameter list: EventEnvelope<T> says so.
  socket.emit(envelope.type, ...([envelope] as unknown as Parameters<ServerToClientEvents[T]>));
}

/**
 * One connected socket's view of the stream: the last event id it was sent, and — while the
 * stored events it missed are being replayed — the live events that arrived meanwhile.
 */
export class SocketStream {
  private buffer: EventEnvelope[] | null = [];

  constructor(
    readonly socket: LiveSocket,
    readonly recipients: readonly EventRecipient[],
    private lastSentId: bigint,
  ) {}

  get lastId(): bigint {
    return this.lastSentId;
  }

  /** Sends an event unless it is one the socket already has; in id order only. */
  send(envelope: EventEnvelope): void {
    const id = BigInt(envelope.id);
    if (id <= this.lastSentId) return;
    this.lastSentId = id;
    emitEnvelope(this.socket, envelope);
  }

  /** Holds live events again while a new replay runs (after the hub lost its subscription). */
  pause(): void {
    this.buffer ??= [];
  }

  offerLive(envelope: EventEnvelope): void {
    if (this.buffer === null) return this.send(envelope);
    if (this.buffer.length >= REPLAY_BUFFER_MAX) {
      this.socket.disconnect(true);
      return;
    }
    this.buffer.push(envelope);
  }

  /** Ends the replay: what arrived live meanwhile goes out after it, duplicates dropped. */
  goLive(): void {
    const waiting = this.buffer ?? [];
    this.buffer = null;
    for (const envelope of waiting) this.send(envelope);
  }
}

/**
 * This api process's end of the live stream: one Redis subscription to what the relay publishes,
 * fanned out to the local sockets of each recipient, with per-socket ordering and de-duplication.
 */
@Injectable()
export class LiveEventsHub implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEventsHub.name);
  private readonly streams = new Map<EventRecipient, Set<SocketStream>>();
  private subscriber: Redis | undefined;
  private subscribed = false;
  private resync: ((streams: SocketStream[]) => void) | undefined;
  private readonly revocationListeners: Array<(userId: string, envelope: EventEnvelope<'session.revoked' | 'tokens.revoked'>) => void> = [];
  private readonly batchListeners: Array<(types: ReadonlySet<EventType>) => void> = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = watchRedis(new Redis(this.config.redisUrl, { connectionName: liveEventsConnectionName(this.config.redisKeyPrefix) }), 'the live-event subscription', this.logger);
    this.subscriber.on('message', (_channel: string, message: string) => this.deliver(message));
    // ioredis subscribes again after a reconnect; whatever was published while the subscription was
    // down never reaches us, so every local socket catches up from the stored stream.
    this.subscriber.on('ready', () => {
      if (!this.subscribed) return;
      this.logger.warn('live-event subscription restored; replaying to every local socket');
      this.resync?.([...new Set([...this.streams.values()].flatMap((set) => [...set]))]);
    });
    await this.subscriber.subscribe(eventsChannel(this.config.redisKeyPrefix));
    this.subscribed = true;
  }

  /** Who replays the stored stream to sockets after a lost subscription (the gateway). */
  onResubscribed(resync: (streams: SocketStream[]) => void): void {
    this.resync = resync;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  get connectedSockets(): number {
    const sockets = new Set<LiveSocket>();
    for (const set of this.streams.values()) for (const stream of set) sockets.add(stream.socket);
    return sockets.size;
  }

  attach(stream: SocketStream): void {
    for (const recipient of stream.recipients) {
      let set = this.streams.get(recipient);
      if (!set) this.streams.set(recipient, (set = new Set()));
      set.add(stream);
    }
  }

  /**
   * Every api process sees every `session.revoked` and `tokens.revoked` event (whoever caused it,
   * whether or not the user has a socket here): the moment to refuse those tokens here too.
   */
  onRevocation(listener: (userId: string, envelope: EventEnvelope<'session.revoked' | 'tokens.revoked'>) => void): void {
    this.revocationListeners.push(listener);
  }

  /** Called once per batch the relay publishes, with the event types in it (whoever they are for). */
  onBatch(listener: (types: ReadonlySet<EventType>) => void): void {
    this.batchListeners.push(listener);
  }

  /** This process's sockets of a recipient (e.g. every admin connected here). */
  localSockets(recipient: EventRecipient): LiveSocket[] {
    return [...(this.streams.get(recipient) ?? [])].map((stream) => stream.socket);
  }

  detach(stream: SocketStream): void {
    for (const recipient of stream.recipients) {
      const set = this.streams.get(recipient);
      set?.delete(stream);
      if (set?.size === 0) this.streams.delete(recipient);
    }
  }

  private deliver(message: string): void {
    let batch: PublishedEvent[];
    try {
      batch = JSON.parse(message) as PublishedEvent[];
    } catch (error) {
      this.logger.error({ err: error }, 'unreadable live event batch');
      return;
    }
    for (const { recipient, envelope } of batch) {
      const set = this.streams.get(recipient);
      if (set) for (const stream of set) stream.offerLive(envelope);
      if ((envelope.type === 'session.revoked' || envelope.type === 'tokens.revoked') && recipient.startsWith(USER_RECIPIENT_PREFIX)) {
        for (const listener of this.revocationListeners) listener(recipient.slice(USER_RECIPIENT_PREFIX.length), envelope);
      }
    }
    if (this.batchListeners.length > 0) {
      const types = new Set(batch.map(({ envelope }) => envelope.type));
      for (const listener of this.batchListeners) listener(types);
    }
  }
}
