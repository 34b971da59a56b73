import type { EventEnvelope, EventRecipient, EventType } from '@bank/contracts/events';

/** What the relay publishes on Redis and every api process's hub receives: a batch in event-id order. */
export interface PublishedEvent {
  recipient: EventRecipient;
  envelope: EventEnvelope;
}

export function eventsChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}events`;
}

export interface StoredEventRow {
  event_seq: string;
  recipient: EventRecipient;
  type: EventType;
  payload: unknown;
  occurred_at: Date | string;
}

export function toEnvelope(row: StoredEventRow): EventEnvelope {
  return { id: String(row.event_seq), type: row.type, occurredAt: new Date(row.occurred_at).toISOString(), data: row.payload as EventEnvelope['data'] };
}
