import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PRESENCE_VIEWINGS_PER_SOCKET_MAX, RequestPresenceSchema, type PresenceAck } from '@bank/contracts/presence';
import type { EventRecipient } from '@bank/contracts/events';
import type { LiveServer, LiveSocket } from '../live-socket';
import { PRESENCE_REFRESH_MS, PresenceStore, type PresenceEntry, type PresenceSnapshot } from './presence.store';

/** Who hears about presence: the staff rooms (the Redis adapter carries the emit to every api process). */
const PRESENCE_ROOMS: EventRecipient[] = ['role:employee', 'role:admin'];

/** The user behind a socket, as the gateway authenticated it. */
export interface PresenceUser {
  id: string;
  role: string;
  fullName: string;
}

type Ack = ((answer: PresenceAck) => void) | undefined;

/**
 * Which staff have which request open (API.md "The employee queue"). A staff socket says
 * `request.viewing` / `request.left`; the viewers live in Redis (PresenceStore) so every api process
 * shares them, and `presence.changed` goes to every employee and admin through the Socket.IO Redis
 * adapter. A socket that disconnects leaves everything it viewed at once. Presence is a live hint,
 * not a record: nothing of it reaches PostgreSQL or the event stream.
 */
@Injectable()
export class RequestPresence implements OnApplicationShutdown {
  private readonly logger = new Logger(RequestPresence.name);
  private server: LiveServer | undefined;
  /** This process's sockets and what each views: what a disconnect removes and the refresh keeps alive. */
  private readonly viewings = new Map<LiveSocket, Map<string, PresenceEntry>>();
  private readonly refresher = setInterval(() => void this.refresh(), PRESENCE_REFRESH_MS).unref();

  constructor(private readonly store: PresenceStore) {}

  onApplicationShutdown(): void {
    clearInterval(this.refresher);
  }

  /** Listens to a connected socket's presence messages; a customer's are refused. */
  attach(server: LiveServer, socket: LiveSocket, user: PresenceUser): void {
    this.server = server;
    const staff = user.role === 'employee' || user.role === 'admin';
    socket.on('request.viewing', (payload: unknown, ack?: unknown) => void this.handle(socket, user, staff, 'viewing', payload, typeof ack === 'function' ? (ack as Ack) : undefined));
    socket.on('request.left', (payload: unknown, ack?: unknown) => void this.handle(socket, user, staff, 'left', payload, typeof ack === 'function' ? (ack as Ack) : undefined));
  }

  /** The socket is gone: it leaves every request it viewed, now. */
  async disconnected(socket: LiveSocket): Promise<void> {
    const viewed = this.viewings.get(socket);
    this.viewings.delete(socket);
    if (!viewed) return;
    await Promise.all([...viewed].map(async ([requestId, entry]) => this.announce(requestId, await this.store.remove(requestId, entry)))).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'could not remove a closed socket’s presence; it lapses on its own'),
    );
  }

  private async handle(socket: LiveSocket, user: PresenceUser, staff: boolean, what: 'viewing' | 'left', payload: unknown, ack: Ack): Promise<void> {
    if (!staff) return ack?.({ ok: false, code: 'FORBIDDEN', detail: 'Only staff share presence.' });
    const parsed = RequestPresenceSchema.safeParse(payload);
    if (!parsed.success) return ack?.({ ok: false, code: 'VALIDATION_FAILED', detail: 'The payload must be {requestId} with a request id (UUID).' });
    const { requestId } = parsed.data;
    let viewed = this.viewings.get(socket);
    try {
      if (what === 'viewing') {
        if (!socket.connected) return ack?.({ ok: true });
        if (!viewed) this.viewings.set(socket, (viewed = new Map()));
        if (!viewed.has(requestId) && viewed.size >= PRESENCE_VIEWINGS_PER_SOCKET_MAX) {
          return ack?.({ ok: false, code: 'VALIDATION_FAILED', detail: `A connection views ${PRESENCE_VIEWINGS_PER_SOCKET_MAX} requests at most; leave one first.` });
        }
        const entry: PresenceEntry = { socketId: socket.id, userId: user.id, fullName: user.fullName };
        viewed.set(requestId, entry);
        this.announce(requestId, await this.store.add(requestId, entry));
      } else {
        const entry = viewed?.get(requestId);
        viewed?.delete(requestId);
        if (entry) this.announce(requestId, await this.store.remove(requestId, entry));
      }
      ack?.({ ok: true });
    } catch (error) {
      this.logger.warn({ err: error }, 'presence could not be stored (Redis unavailable?)');
      ack?.({ ok: false, code: 'SERVICE_UNAVAILABLE', detail: 'Presence is unavailable for a moment.' });
    }
  }

  private announce(requestId: string, snapshot: PresenceSnapshot | null): void {
    if (snapshot) this.server?.to(PRESENCE_ROOMS).emit('presence.changed', { requestId, viewers: snapshot.viewers, version: snapshot.version });
  }

  private async refresh(): Promise<void> {
    const all = [...this.viewings.values()].flatMap((viewed) => [...viewed].map(([requestId, entry]) => ({ requestId, entry })));
    await this.store.refresh(all).catch((error: unknown) => this.logger.warn({ err: error }, 'presence refresh failed; it tries again'));
  }
}
