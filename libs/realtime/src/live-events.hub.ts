import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Socket } from 'socket.io';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import type { EventEnvelope, EventRecipient } from '@bank/contracts/events';
import { eventsChannel, type PublishedEvent } from '@bank/outbox/event-stream';

/** How many live events a socket may have waiting while its replay runs, before it is cut off. */
const REPLAY_BUFFER_MAX = 10_000;

/**
 * One connected socket's view of the stream: the last event id it was sent, and — while the
 * stored events it missed are being replayed — the live events that arrived meanwhile.
 */
export class SocketStream {
  private buffer: EventEnvelope[] | null = [];

  constructor(
    readonly socket: Socket,
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
    this.socket.emit(envelope.type, envelope);
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

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = new Redis(this.config.redisUrl);
    this.subscriber.on('message', (_channel: string, message: string) => this.deliver(message));
    await this.subscriber.subscribe(eventsChannel(this.config.redisKeyPrefix));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  get connectedSockets(): number {
    const sockets = new Set<Socket>();
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
    }
  }
}
