import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventRecipient } from '@bank/contracts/events';
import type { StoredEventRow } from './event-stream';
import type { OutboxEvent } from './outbox-event';

/** The `outbox_events` table for the api side: appends in the caller's transaction, and reads of the numbered stream. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly em: EntityManager) {}

  /** Joins the caller's transaction (the EntityManager's). */
  async insert(events: readonly OutboxEvent[]): Promise<void> {
    await this.em.execute(
      `insert into outbox_events (recipient, type, payload) values ${events.map(() => '(?, ?, ?::jsonb)').join(', ')}`,
      events.flatMap((event) => [event.recipient, event.type, JSON.stringify(event.data)]),
    );
  }

  /** The numbered events of these recipients after an id, in id order. */
  readAfter(recipients: readonly EventRecipient[], afterSeq: bigint, limit: number): Promise<StoredEventRow[]> {
    return this.em.execute<StoredEventRow[]>(
      `select event_seq, recipient, type, payload, occurred_at from outbox_events
       where recipient in (?) and event_seq > ? order by event_seq limit ?`,
      [[...recipients], afterSeq.toString(), limit],
    );
  }

  /** Age in seconds of the oldest event the relay has not published yet; null when none waits. */
  async oldestUnpublishedAgeS(): Promise<number | null> {
    // Two index-backed looks (not yet numbered; numbered past the relay's stored progress): no scan of the table.
    const [row] = await this.em.getConnection().execute<Array<{ lag: string | null }>>(
      `select extract(epoch from now() - least(
         (select occurred_at from outbox_events where event_seq is null order by id limit 1),
         (select occurred_at from outbox_events where event_seq > (select published_seq from outbox_relay_progress) order by event_seq limit 1))) as lag`,
    );
    return row?.lag == null ? null : Number(row.lag);
  }
}
