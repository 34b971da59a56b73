import { io, type Socket } from 'socket.io-client';
import { LIVE_SIGNALS, SOCKET_PATH, type EventEnvelope, type EventType, type LiveHandshakeAuth, type LiveSignal, type LiveSignalMap, type ServerToClientEvents } from '@bank/contracts/events';
import type { ClientToServerEvents, PresenceChangedData } from '@bank/contracts/presence';
import type { Session } from '../session/session';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A socket that has not come back within this long counts as offline: REST polling takes over. */
const OFFLINE_AFTER_MS = 4_000;
const POLL_EVERY_MS = 3_000;
const RETRY_MS = [500, 1_000, 2_000, 4_000, 8_000];

type Listener<T extends EventType> = (envelope: EventEnvelope<T>) => void;
type PresenceListener = (data: PresenceChangedData) => void;

/**
 * The tab's one live connection: Socket.IO with `lastEventId` so a reconnect replays what was
 * missed, falling back to `GET /events` polling while the socket is down. Every event reaches the
 * listeners once, in id order. Fires `state` when the connection state changes, and `resync` when
 * views must reload because what was missed cannot be replayed.
 */
export class LiveConnection extends EventTarget {
  state: ConnectionState = 'connecting';
  private lastEventId: string | undefined;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  /** Requests this tab has open (staff): said again after every reconnect, since the server forgets a closed socket's. */
  private readonly viewed = new Set<string>();
  private readonly presenceListeners = new Set<PresenceListener>();
  /** The newest presence version seen per request: an older change arriving late is dropped. */
  private readonly presenceVersions = new Map<string, number>();
  private readonly listeners = new Map<EventType, Set<Listener<EventType>>>();
  private readonly signalListeners = new Map<LiveSignal, Set<(payload: LiveSignalMap[LiveSignal]) => void>>();
  private offlineTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private stopped = false;

  constructor(private readonly session: Session) {
    super();
  }

  start(): void {
    const auth = (callback: (auth: LiveHandshakeAuth) => void) => callback({ token: this.session.token ?? '', ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}) });
    this.socket = io({ path: SOCKET_PATH, transports: ['websocket', 'polling'], auth, reconnectionDelay: 500, reconnectionDelayMax: 4_000 });
    this.socket.on('connect', () => {
      const wasDown = this.state !== 'connecting';
      this.retries = 0;
      this.stopPolling();
      this.setState('live');
      for (const requestId of this.viewed) this.socket?.emit('request.viewing', { requestId });
      // Without an event id to resume from, the server cannot replay what was missed: views reload instead.
      if (wasDown && this.lastEventId === undefined) this.dispatchEvent(new Event('resync'));
    });
    this.socket.on('disconnect', (reason) => {
      this.wentDown();
      // The server cut us (token expired, user locked): Socket.IO will not retry by itself.
      if (reason === 'io server disconnect') this.retrySoon();
    });
    this.socket.on('connect_error', () => {
      this.wentDown();
      if (!this.socket?.active) this.retrySoon(); // refused by the server (a stale token): refresh, then retry
    });
    for (const signal of LIVE_SIGNALS) {
      this.socket.on(signal, (payload: LiveSignalMap[LiveSignal]) => {
        for (const listener of this.signalListeners.get(signal) ?? []) listener(payload);
      });
    }
    this.socket.on('presence.changed', (data) => {
      if ((this.presenceVersions.get(data.requestId) ?? -1) >= data.version) return;
      this.presenceVersions.set(data.requestId, data.version);
      for (const listener of this.presenceListeners) listener(data);
    });
    this.socket.onAny((type: string, envelope: EventEnvelope) => {
      if (typeof envelope === 'object' && envelope !== null && typeof envelope.id === 'string' && envelope.type === type) this.deliver(envelope);
    });
    globalThis.addEventListener?.('offline', this.onBrowserOffline);
    // A socket that never connects (a proxy that swallows WebSockets) must not leave the tab without events.
    this.offlineTimer = setTimeout(() => this.goOffline(), OFFLINE_AFTER_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.offlineTimer);
    clearTimeout(this.retryTimer);
    this.stopPolling();
    globalThis.removeEventListener?.('offline', this.onBrowserOffline);
    this.socket?.close();
  }

  /** Listens to one event type, its handler typed by the contract's event map; returns the unsubscribe. */
  on<T extends EventType>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<EventType>);
    return () => set.delete(listener as Listener<EventType>);
  }

  /** Listens to a signal (a snapshot pushed while the socket is up; not replayed); returns the unsubscribe. */
  onSignal<K extends LiveSignal>(signal: K, listener: (payload: LiveSignalMap[K]) => void): () => void {
    let set = this.signalListeners.get(signal);
    if (!set) this.signalListeners.set(signal, (set = new Set()));
    set.add(listener as (payload: LiveSignalMap[LiveSignal]) => void);
    return () => set.delete(listener as (payload: LiveSignalMap[LiveSignal]) => void);
  }

  /** Who else has a request open (staff only; transient, never replayed); returns the unsubscribe. */
  onPresence(listener: PresenceListener): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  /** This tab has the request open (staff): other staff see it until `left` or the tab closes. */
  viewing(requestId: string): void {
    this.viewed.add(requestId);
    if (this.socket?.connected) this.socket.emit('request.viewing', { requestId });
  }

  left(requestId: string): void {
    if (!this.viewed.delete(requestId)) return;
    if (this.socket?.connected) this.socket.emit('request.left', { requestId });
  }

  private deliver(envelope: EventEnvelope): void {
    if (this.lastEventId !== undefined && BigInt(envelope.id) <= BigInt(this.lastEventId)) return;
    this.lastEventId = envelope.id;
    for (const listener of this.listeners.get(envelope.type) ?? []) listener(envelope);
  }

  private readonly onBrowserOffline = () => this.goOffline();

  private wentDown(): void {
    if (this.stopped || this.state === 'offline') return;
    this.setState('reconnecting');
    // Counted from the first failure: every failed retry must not restart the clock.
    this.offlineTimer ??= setTimeout(() => this.goOffline(), OFFLINE_AFTER_MS);
  }

  private retrySoon(): void {
    clearTimeout(this.retryTimer);
    const delay = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
    this.retryTimer = setTimeout(async () => {
      if (this.stopped) return;
      if (!(await this.session.refreshNow()) && !this.session.user) return;
      this.socket?.connect();
    }, delay);
  }

  private goOffline(): void {
    this.offlineTimer = undefined;
    if (this.stopped || this.socket?.connected) return;
    this.setState('offline');
    if (this.pollTimer === undefined) this.poll();
  }

  /** While the socket is down: the same events through `GET /events`, from the last one seen. */
  private poll(): void {
    this.pollTimer = setTimeout(async () => {
      try {
        if (this.lastEventId === undefined) {
          // Nothing to resume from: continue from the newest event, and views reload what they show.
          await this.findNewestEvent();
          this.dispatchEvent(new Event('resync'));
        }
        for (;;) {
          const page = await this.session.api.events(this.lastEventId ?? '0', 100);
          for (const envelope of page.items) this.deliver(envelope);
          if (page.items.length < 100) break;
        }
      } catch {
        // offline for REST too: try again later
      }
      if (this.pollTimer !== undefined && !this.stopped) this.poll();
    }, POLL_EVERY_MS);
  }

  /** Before any event was seen there is nothing to resume from: skip to the newest rather than replay old news. */
  private async findNewestEvent(): Promise<void> {
    let after = '0';
    for (;;) {
      const page = await this.session.api.events(after, 100);
      if (page.items.length === 0) break;
      after = page.items[page.items.length - 1].id;
      if (page.items.length < 100) break;
    }
    this.lastEventId ??= after;
  }

  private stopPolling(): void {
    clearTimeout(this.offlineTimer);
    this.offlineTimer = undefined;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new Event('state'));
  }
}
