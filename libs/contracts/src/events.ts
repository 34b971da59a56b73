import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './pagination';
import type { EntryView } from './ledger';
import type { RequestView } from './requests';
import type { SecurityEventView } from './security';
import type { UserView } from './users';

/** Every live event type (API.md "Live events"). */
export const EVENT_TYPES = [
  'balance.updated',
  'transaction.posted',
  'request.updated',
  'queue.changed',
  'security.event',
  'user.locked',
  'user.unlocked',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface BalanceUpdatedData {
  accountId: string;
  balance: number;
  currency: string;
  transactionId: string;
}

export type TransactionPostedData = EntryView & { accountId: string };

/** Who an event is for: one user, or everyone in a staff role. These are also the Socket.IO room names. */
export type EventRecipient = `user:${string}` | 'role:employee' | 'role:admin';

export function userRecipient(userId: string): EventRecipient {
  return `user:${userId}`;
}

/** Payload of each event type; the later issues fill in the rest. */
export interface EventDataMap {
  'balance.updated': BalanceUpdatedData;
  'transaction.posted': TransactionPostedData;
  'request.updated': RequestView;
  'queue.changed': { requestId: string; status: string; queueSize: number };
  'security.event': SecurityEventView;
  'user.locked': UserView;
  'user.unlocked': UserView;
}

/** The envelope every event travels in. `id` is a decimal string, strictly increasing per recipient. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  occurredAt: string;
  data: EventDataMap[T];
}

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
