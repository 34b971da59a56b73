import type { EventDataMap, EventEnvelope, EventType } from '@bank/contracts/events';
import { EVENT_TYPES } from '@bank/contracts/events';
import type { OutboxEvent } from './outbox-event';

/**
 * Type-level checks, enforced by `tsc -p tsconfig.json` (which covers spec files): every
 * `@ts-expect-error` line must fail to compile, or the typecheck fails. The runtime assertions only
 * keep jest content.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameKeys: Equal<keyof EventDataMap, EventType> = true;

const balance = { accountId: 'a', balance: 100, availableBalance: 100, currency: 'USD', transactionId: 't' };
const user = { id: 'u', email: 'a@b.c', fullName: 'A', role: 'customer', status: 'locked', createdAt: '2026-01-01T00:00:00.000Z' } as const;

describe('outbox events are typed by the contract’s event map', () => {
  it('accepts each type with its own payload only', () => {
    const events: OutboxEvent[] = [
      { recipient: 'user:u', type: 'balance.updated', data: balance },
      { recipient: 'role:employee', type: 'queue.changed', data: { requestId: 'r', status: 'pending_review', queueSize: 1 } },
      { recipient: 'role:admin', type: 'user.locked', data: user },
      // @ts-expect-error a misspelt event type does not compile
      { recipient: 'user:u', type: 'balance.update', data: balance },
      // @ts-expect-error another type's payload does not compile
      { recipient: 'user:u', type: 'balance.updated', data: user },
      // @ts-expect-error queue.changed's status is a request status, not any string
      { recipient: 'role:employee', type: 'queue.changed', data: { requestId: 'r', status: 'pending', queueSize: 1 } },
      // @ts-expect-error recipients are a user's or a staff role's room, nothing else
      { recipient: 'everyone', type: 'balance.updated', data: balance },
    ];
    const typed: OutboxEvent<'balance.updated'> = { recipient: 'user:u', type: 'balance.updated', data: balance };
    expect(events).toHaveLength(7);
    expect(typed.type).toBe('balance.updated');
    expect(sameKeys).toBe(true);
    expect(Object.keys({ ...EVENT_TYPES })).toHaveLength(13);
  });

  it('narrows an envelope’s payload by its type', () => {
    const envelope = { id: '1', type: 'user.locked', occurredAt: '2026-01-01T00:00:00.000Z', data: user } as EventEnvelope;
    if (envelope.type === 'user.locked') expect(envelope.data.id).toBe('u');
    // @ts-expect-error without checking the type, the payload is any type's
    expect(envelope.data.id).toBe('u');
  });
});
