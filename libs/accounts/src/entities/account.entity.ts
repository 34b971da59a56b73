import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import type { AccountStatus, AccountView } from '@bank/contracts/accounts';
import { DAILY_LIMIT_DEFAULT_MINOR } from '@bank/contracts/accounts';

export type AccountKind = 'customer' | 'system';
export type AccountTypeColumn = 'checking' | 'savings' | 'cash';

/** An `accounts` row: the one account row type (system accounts too; the cash accounts are `kind = 'system'`). */
@Entity({ tableName: 'accounts' })
export class Account {
  [OptionalProps]?: 'ownerId' | 'kind' | 'status' | 'dailyLimit' | 'balance' | 'held' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Null for the bank's own (system) accounts. */
  @Property({ type: 'uuid', nullable: true })
  ownerId: string | null = null;

  @Property({ type: 'string', columnType: 'char(12)' })
  number!: string;

  @Property({ type: 'text' })
  kind: AccountKind = 'customer';

  @Property({ type: 'text' })
  type!: AccountTypeColumn;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'text' })
  status: AccountStatus = 'active';

  @Property({ type: new BigIntType('number') })
  dailyLimit: number = DAILY_LIMIT_DEFAULT_MINOR;

  /** Minor units. Written only by the ledger's posting function. */
  @Property({ type: new BigIntType('number') })
  balance = 0;

  /** Minor units reserved by pending holds (availableBalance = balance − held). Written only by the ledger's SQL. */
  @Property({ type: new BigIntType('number') })
  held = 0;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * The one account → `account` of API.md mapping in TypeScript. (The money path answers from
 * PostgreSQL with the same shape, built by the SQL function `money_account_view`.)
 */
export function toAccountView(account: Account): AccountView {
  return {
    id: account.id,
    number: account.number,
    type: account.type === 'savings' ? 'savings' : 'checking',
    currency: account.currency,
    balance: account.balance,
    availableBalance: account.balance - account.held,
    status: account.status,
    dailyLimit: account.dailyLimit,
    createdAt: account.createdAt.toISOString(),
  };
}
