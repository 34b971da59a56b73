import { Injectable } from '@nestjs/common';
import type { Client } from 'pg';
import type { StoredEventRow } from './event-stream';

/** Held by the one relay allowed to number and publish events; released when its session ends. */
const RELAY_LEADER_LOCK_KEY = 7_311_202_612;

/**
 * The relay's statements. Each takes the relay's own session (a node-postgres Client, not a pool):
 * the leader lock and LISTEN belong to that one connection.
 */
@Injectable()
export class OutboxRelayRepository {
  /** True when this session now holds the leader lock (it keeps it until the session ends). */
  async tryLeaderLock(db: Client): Promise<boolean> {
    const { rows } = await db.query<{ acquired: boolean }>('select pg_try_advisory_lock($1) as acquired', [RELAY_LEADER_LOCK_KEY]);
    return rows[0].acquired;
  }

  /** NOTIFY at every commit that appends events wakes this session. */
  async listenForAppends(db: Client): Promise<void> {
    await db.query('listen outbox_events');
  }

  /** Stores the last published event id, never moving the progress back. */
  async storeProgress(db: Client, publishedSeq: string): Promise<void> {
    await db.query('update outbox_relay_progress set published_seq = $1 where published_seq < $1', [publishedSeq]);
  }

  /**
   * One statement stores the progress of the previous drain, numbers the committed, unnumbered
   * rows, and reads every numbered row past the progress (those it just numbered, and any a relay
   * published without storing it), in id order, at most `limit`.
   */
  async drain(db: Client, publishedSeq: string, limit: number): Promise<StoredEventRow[]> {
    const { rows } = await db.query<StoredEventRow>({
      name: 'outbox-relay-drain',
      text: `with stored as (update outbox_relay_progress set published_seq = $2 where published_seq < $2 returning published_seq),
                  progress as (select coalesce((select published_seq from stored), (select published_seq from outbox_relay_progress)) as seq),
                  base as (select coalesce(max(event_seq), 0) as last from outbox_events),
                  next as (select id, row_number() over (order by id) as position
                           from (select id from outbox_events where event_seq is null order by id limit $1) oldest),
                  numbered as (update outbox_events o set event_seq = base.last + next.position from next, base
                               where o.id = next.id
                               returning o.event_seq, o.recipient, o.type, o.payload, o.occurred_at)
             select * from (
               (select event_seq, recipient, type, payload, occurred_at from outbox_events
                where event_seq > (select seq from progress) order by event_seq limit $1)
               union all
               select * from numbered
             ) pending
             order by event_seq limit $1`,
      values: [limit, publishedSeq],
    });
    return rows;
  }
}
