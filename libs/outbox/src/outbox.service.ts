import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventDataMap, EventEnvelope, EventRecipient, EventType } from '@bank/contracts/events';
import { toEnvelope, type StoredEventRow } from './event-stream';

export interface OutboxEvent<T extends EventType = EventType> {
  recipient: EventRecipient;
  type: T;
  data: EventDataMap[T];
}

/**
 * The transactional outbox (money rule 7): events are appended in the caller's database
 * transaction, so they exist exactly when the change that caused them committed.
 * Delivery reads them from there.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly em: EntityManager) {}

  /** Must run inside the transaction of the change the events describe. */
  async append(events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.em.isInTransaction()) throw new Error('outbox events must be appended inside the transaction that causes them');
    const insert = this.insertStatement(events);
    await this.em.execute(insert.sql, insert.params);
  }

  /**
   * The INSERT that appends these events, for a caller that embeds it in its own statement (a
   * data-modifying CTE) to save a round trip on a hot path. Same rule: inside the causing transaction.
   */
  insertStatement(events: readonly OutboxEvent[]): { sql: string; params: unknown[] } {
    if (events.length === 0) throw new Error('no events to insert');
    return {
      sql: `insert into outbox_events (recipient, type, payload) values ${events.map(() => '(?, ?, ?::jsonb)').join(', ')}`,
      params: events.flatMap((event) => [event.recipient, event.type, JSON.stringify(event.data)]),
    };
  }

  /**
   * The stored stream of these recipients after an event id, oldest first: what a reconnecting
   * client missed. Only numbered events are visible; numbering is committed before publishing,
   * so nothing published is missing here.
   */
  async readStream(recipients: readonly EventRecipient[], afterId: bigint, limit: number): Promise<EventEnvelope[]> {
    const rows = await this.em.execute<StoredEventRow[]>(
      `select event_seq, recipient, type, payload, occurred_at from outbox_events
       where recipient in (?) and event_seq > ? order by event_seq limit ?`,
      [[...recipients], afterId.toString(), limit],
    );
    return rows.map(toEnvelope);
  }
}
