import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventDataMap, EventType } from '@bank/contracts/events';

export interface OutboxEvent<T extends EventType = EventType> {
  recipientUserId: string;
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
    const values = events.map(() => '(?, ?, ?::jsonb)').join(', ');
    const params = events.flatMap((event) => [event.recipientUserId, event.type, JSON.stringify(event.data)]);
    await this.em.execute(`insert into outbox_events (recipient_user_id, type, payload) values ${values}`, params);
  }
}
