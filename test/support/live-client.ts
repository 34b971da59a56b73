import { io, type Socket } from 'socket.io-client';
import { LIVE_SIGNALS, type EventEnvelope, type EventType, type LiveSignal, type LiveSignalMap } from '@bank/contracts/events';

/** A socket.io-client connection that records every event it receives, in order (and the signals apart). */
export class LiveClient {
  readonly events: EventEnvelope[] = [];
  /** The signals received (no envelope, not events: admin.stats, presence.changed), in order. */
  readonly signals: Array<{ [K in LiveSignal]: { signal: K; payload: LiveSignalMap[K] } }[LiveSignal]> = [];
  readonly socket: Socket;
  disconnectReason: string | null = null;
  /** Every disconnect's reason, in order (a resuming client goes on after each). */
  readonly disconnects: string[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.onAny((type: string, message: unknown) => {
      if ((LIVE_SIGNALS as readonly string[]).includes(type)) this.signals.push({ signal: type, payload: message } as (typeof this.signals)[number]);
      else if (type !== 'error' && type !== 'session.expired') this.events.push(message as EventEnvelope);
    });
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.disconnects.push(reason);
    });
  }

  /**
   * Connects the way the web app does: after a drop it reconnects by itself, on a short back-off,
   * handing the server the id of the last event it holds so the server replays what it missed.
   * With `fromEventId` ('0': everything) the first connection replays too.
   */
  static resuming(baseUrl: string, token: string, fromEventId?: string): Promise<LiveClient> {
    const holder: { client?: LiveClient } = {};
    const auth = (callback: (auth: Record<string, unknown>) => void) => {
      const lastEventId = holder.client?.lastEventId ?? fromEventId;
      callback({ token, ...(lastEventId ? { lastEventId } : {}) });
    };
    const socket = io(baseUrl, { path: '/socket.io', transports: ['websocket'], auth, forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1_000 });
    return (holder.client = new LiveClient(socket)).connected();
  }

  /** Resolves once connected; rejects with the server's `connect_error`. */
  static connect(baseUrl: string, auth: Record<string, unknown>, extra: { extraHeaders?: Record<string, string> } = {}): Promise<LiveClient> {
    const socket = io(baseUrl, { path: '/socket.io', transports: ['websocket'], auth, reconnection: false, forceNew: true, ...extra });
    return new LiveClient(socket).connected();
  }

  /** Resolves on the first connection; rejects (and closes) if that one fails — later failures are the client's to retry. */
  private connected(): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const refused = (error: Error) => {
        this.socket.close();
        reject(error);
      };
      this.socket.once('connect_error', refused);
      this.socket.once('connect', () => {
        this.socket.off('connect_error', refused);
        resolve(this);
      });
    });
  }

  get lastEventId(): string | undefined {
    return this.events[this.events.length - 1]?.id;
  }

  ofType<T extends EventType>(type: T): Array<EventEnvelope<T>> {
    return this.events.filter((event) => event.type === type) as Array<EventEnvelope<T>>;
  }

  signalsOf<K extends LiveSignal>(signal: K): Array<LiveSignalMap[K]> {
    return this.signals.filter((received) => received.signal === signal).map((received) => received.payload as LiveSignalMap[K]);
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls a condition until it holds or the deadline passes (no fixed sleeps in assertions). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Strictly increasing decimal ids: no duplicate and no reordering. */
export function expectStrictlyIncreasingIds(events: readonly EventEnvelope[]): void {
  for (let i = 1; i < events.length; i++) {
    if (!(BigInt(events[i].id) > BigInt(events[i - 1].id))) {
      throw new Error(`event ids not strictly increasing at ${i}: ${events[i - 1].id} then ${events[i].id}`);
    }
  }
}
