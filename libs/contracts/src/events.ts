import type { EntryView } from './ledger';

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

/** Payload of each event type; the later issues fill in the rest. */
export interface EventDataMap {
  'balance.updated': BalanceUpdatedData;
  'transaction.posted': TransactionPostedData;
  'request.updated': Record<string, unknown>;
  'queue.changed': { requestId: string; status: string; queueSize: number };
  'security.event': Record<string, unknown>;
  'user.locked': Record<string, unknown>;
  'user.unlocked': Record<string, unknown>;
}

/** The envelope every event travels in. `id` is a decimal string, strictly increasing per recipient. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  occurredAt: string;
  data: EventDataMap[T];
}
