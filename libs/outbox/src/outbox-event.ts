import type { EventDataMap, EventRecipient, EventType } from '@bank/contracts/events';

/**
 * An event to append: for each type, exactly that type's payload (`EventDataMap`), so a misspelt
 * type or a payload of another type does not compile. `OutboxEvent` alone is the union of all.
 */
export type OutboxEvent<T extends EventType = EventType> = {
  [K in T]: { recipient: EventRecipient; type: K; data: EventDataMap[K] };
}[T];
