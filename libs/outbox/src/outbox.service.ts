import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, EventRecipient } from '@bank/contracts/events';
import { toEnvelope } from './event-stream';
import type { OutboxEvent } from './outbox-event';
import { OutboxRepository } from './outbox.repository';

/**
 * The transactional outbox (money rule 7): events are appended in the caller's database
 * transaction, so they exist exactly when the change that caused them committed.
 * Delivery reads them from there.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Must run inside the transaction of the change the events describe. */
  async append(events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.em.isInTransaction()) throw new Error('outbox events must be appended inside the transaction that causes them');
    await this.outbox.insert(events);
  }

  /**
   * The stored stream of these recipients after an event id, oldest first: what a reconnecting
   * client missed. Only numbered events are visible; numbering is committed before publishing,
   * so nothing published is missing here.
   */
  async readStream(recipients: readonly EventRecipient[], afterId: bigint, limit: number): Promise<EventEnvelope[]> {
    return (await this.outbox.readAfter(recipients, afterId, limit)).map(toEnvelope);
  }

  /** How far delivery lags: the age of the oldest event not yet published, 0 when none waits. */
  async lagSeconds(): Promise<number> {
    return (await this.outbox.oldestUnpublishedAgeS()) ?? 0;
  }
}
