import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';

/** A customer's card: the PIN (hashed like a password) that withdrawals require. */
@Entity({ tableName: 'cards' })
export class Card {
  [OptionalProps]?: 'failedPinAttempts' | 'blockedAt' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  ownerId!: string;

  @Property({ type: 'text', hidden: true })
  pinHash!: string;

  @Property({ type: 'integer' })
  failedPinAttempts = 0;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  blockedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
