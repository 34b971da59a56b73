import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './pagination';
import type { EntryView } from './ledger';
import type { RequestStatus, RequestView } from './requests';
import type { SecurityEventView } from './security';
import type { UserView } from './users';
import type { HoldView } from './holds';
import type { AdminStats } from './admin';
import type { NotificationCreatedData, UnreadCount } from './notifications';
import type { PresenceChangedData } from './presence';
import type { ScheduleUpdatedData } from './schedules';

/** Every live event type (API.md "Live events"). */
export const EVENT_TYPES = [
  'balance.updated',
  'transaction.posted',
  'request.updated',
  'queue.changed',
  'security.event',
  'user.locked',
  'user.unlocked',
  'hold.updated',
  'notification.created',
  'notifications.read',
  'session.revoked',
  'tokens.revoked',
  'schedule.updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface BalanceUpdatedData {
  accountId: string;
  balance: number;
  availableBalance: number;
  currency: string;
  transactionId: string;
}

export type TransactionPostedData = EntryView & { accountId: string };

/** Sent to every employee when a request enters, moves within or leaves the queue. */
export interface QueueChangedData {
  requestId: string;
  status: RequestStatus;
  queueSize: number;
}

/** Who an event is for: one user, or everyone in a staff role. These are also the Socket.IO room names. */
export type EventRecipient = `user:${string}` | 'role:employee' | 'role:admin';

export function userRecipient(userId: string): EventRecipient {
  return `user:${userId}`;
}

/**
 * The payload of each event type: the one map the server's outbox appends, the gateway's emit and
 * the browser's handlers are typed by, so a misspelt type or a wrong payload does not compile.
 */
export interface EventDataMap {
  'balance.updated': BalanceUpdatedData;
  'transaction.posted': TransactionPostedData;
  'request.updated': RequestView;
  'queue.changed': QueueChangedData;
  'security.event': SecurityEventView;
  'user.locked': UserView;
  'user.unlocked': UserView;
  'hold.updated': HoldView;
  /** To the user, every device: a new notification and the unread count after it. */
  'notification.created': NotificationCreatedData;
  /** To the user, every device: notifications were marked read; the unread count after it. */
  'notifications.read': UnreadCount;
  /** To the user, every device: a session ended (signed out from another device, a password change). Every api process then refuses its tokens and cuts its sockets. */
  'session.revoked': SessionRevokedData;
  /** To the user, every device: every access token of the user issued before `validAfter` is refused (an admin's lock or unlock); their sockets are cut. */
  'tokens.revoked': TokensRevokedData;
  /** To the owner: a scheduled transfer ran (its new run and next date) or was cancelled. */
  'schedule.updated': ScheduleUpdatedData;
}

export interface SessionRevokedData {
  sessionId: string;
}

export interface TokensRevokedData {
  /** ISO 8601 with milliseconds; tokens issued before it are refused. */
  validAfter: string;
  /** Whether the user is locked by an admin now (refusals answer 423 `ACCOUNT_LOCKED`, else 401 `TOKEN_INVALID`). */
  locked: boolean;
}

/**
 * The envelope every event travels in. `id` is a decimal string, strictly increasing per recipient.
 * For a union of types it is the union of their envelopes, so checking `type` narrows `data`.
 */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: { id: string; type: K; occurredAt: string; data: EventDataMap[K] };
}[T];

/** A socket message that is not an event: why the server is about to disconnect the socket. */
export interface LiveSocketNotice {
  code: 'TOKEN_INVALID' | 'RATE_LIMITED';
  detail: string;
}

/**
 * What the server emits on a live socket: each event type with its envelope, the two notices
 * (`session.expired` when the access token expires, `error` when the client sends too much), and
 * the signals (below).
 */
export type ServerToClientEvents = { [K in EventType]: (envelope: EventEnvelope<K>) => void } & {
  'session.expired': (notice: LiveSocketNotice) => void;
  error: (notice: LiveSocketNotice) => void;
} & { [K in LiveSignal]: (payload: LiveSignalMap[K]) => void };

/**
 * Signals: snapshots pushed to connected sockets only, not events — no envelope, no id, not stored,
 * not replayed (a reconnecting client reads the current value over REST, or is told again).
 * `admin.stats` (admins): `GET /admin/stats` again, at most once a second per api process, after
 * live events that can move its numbers. `presence.changed` (staff): who has a request open (see presence.ts).
 */
export interface LiveSignalMap {
  'admin.stats': AdminStats;
  'presence.changed': PresenceChangedData;
}
export type LiveSignal = keyof LiveSignalMap;
export const LIVE_SIGNALS: readonly LiveSignal[] = ['admin.stats', 'presence.changed'];

/** Socket.IO handshake: `io(url, { path: '/socket.io', auth: { token, lastEventId } })`. */
export interface LiveHandshakeAuth {
  token: string;
  /** Resume after this event id: the server first replays what was missed, then goes live. */
  lastEventId?: string;
}

export const SOCKET_PATH = '/socket.io';
export const EVENT_ID_PATTERN = /^\d{1,18}$/;

/** `GET /events?after=<id>&limit=`: the REST fallback of the live stream, oldest first. */
export const EventsQuerySchema = z.strictObject({
  after: z.string().regex(EVENT_ID_PATTERN, { error: 'must be an event id' }).default('0'),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
});
export type EventsQuery = z.infer<typeof EventsQuerySchema>;
