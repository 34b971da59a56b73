import type { EventEnvelope, EventRecipient, EventType } from '@bank/contracts/events';

/** What the relay publishes on Redis and every api process's hub receives: a batch in event-id order. */
export interface PublishedEvent {
  recipient: EventRecipient;
  envelope: EventEnvelope;
}

export function eventsChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}events`;
}

/** A numbered `outbox_events` row as the relay and the stream reads select it. */
export interface StoredEventRow {
  event_seq: string;
  recipient: EventRecipient;
  type: EventType;
  payload: unknown;
  occurred_at: Date | string;
}

/** The payload was written by `OutboxService.append` for its type (or by a SQL function, for the same map): trusted here. */
export function toEnvelope(row: StoredEventRow): EventEnvelope {
  return { id: String(row.event_seq), type: row.type, occurredAt: new Date(row.occurred_at).toISOString(), data: row.payload } as EventEnvelope;
}
