import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AccountStatus, AccountType } from '@bank/contracts/accounts';
import type { Currency } from '@bank/contracts/money';
import { SqlPool } from '@bank/db/sql-pool';
import { Account } from './entities/account.entity';

const SET_STATUS = { name: 'accounts-set-status', text: `update accounts set status = $1, updated_at = now() where id = $2 and kind = 'customer' and status <> 'closed'` };
const SET_DAILY_LIMIT = { name: 'accounts-set-daily-limit', text: `update accounts set daily_limit = $1, updated_at = now() where id = $2 and kind = 'customer'` };
/** A customer account that can receive money (frozen ones can: a freeze stops debits only). */
const FIND_RECEIVING_BY_NUMBER = {
  name: 'accounts-find-receiving-by-number',
  text: `select number::text as number, owner_id from accounts where number = $1 and kind = 'customer' and status <> 'closed'`,
};
const CLOSE_IF_EMPTY = {
  name: 'accounts-close-if-empty',
  text: `update accounts set status = 'closed', updated_at = now() where id = $1 and kind = 'customer' and balance = 0 returning id`,
};

/** Customer accounts in minor units: how many, and what they hold together. */
export interface CustomerAccountTotals {
  accounts: string;
  total: string;
}

/**
 * The `accounts` table. Reads and the opening insert go through MikroORM (they join the caller's
 * transaction); the request effects through SqlPool (the fulfilment's transaction).
 */
@Injectable()
export class AccountsRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
  ) {}

  /** The new account, or null when the number is taken. */
  async insertCustomerAccount(id: string, ownerId: string, number: string, type: AccountType, currency: Currency): Promise<Account | null> {
    // ON CONFLICT instead of catching the unique violation: a failed statement would abort the caller's transaction.
    const rows: Array<Record<string, unknown>> = await this.em.execute(
      `insert into accounts (id, owner_id, number, kind, type, currency) values (?, ?, ?, 'customer', ?, ?)
       on conflict (number) do nothing returning *`,
      [id, ownerId, number, type, currency],
    );
    return rows.length > 0 ? this.em.map(Account, rows[0]) : null;
  }

  findByOwner(ownerId: string): Promise<Account[]> {
    return this.em.find(Account, { ownerId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Who owns the customer account with this number; null when nobody does. */
  async ownerOfNumber(number: string): Promise<string | null> {
    const [row] = await this.em.execute<Array<{ owner_id: string }>>(`select owner_id from accounts where number = ? and kind = 'customer'`, [number]);
    return row?.owner_id ?? null;
  }

  /** Number → owner of the customer accounts among these numbers, whatever their status. */
  async ownersOfNumbers(numbers: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.em.execute<Array<{ number: string; owner_id: string }>>(
      `select number::text as number, owner_id from accounts where number in (?) and kind = 'customer'`,
      [numbers],
    );
    return new Map(rows.map((row) => [row.number, row.owner_id]));
  }

  findOwned(accountId: string, ownerId: string): Promise<Account | null> {
    return this.em.findOne(Account, { id: accountId, ownerId });
  }

  /** The account with this number if it can receive a transfer: a customer's, not closed; else null. */
  async findReceivingByNumber(number: string): Promise<{ number: string; ownerId: string } | null> {
    const [row] = await this.sql.query<{ number: string; owner_id: string }>(FIND_RECEIVING_BY_NUMBER, [number]);
    return row ? { number: row.number, ownerId: row.owner_id } : null;
  }

  async customerTotals(): Promise<CustomerAccountTotals> {
    const [row] = await this.em.execute<CustomerAccountTotals[]>(
      `select count(*) as accounts, coalesce(sum(balance), 0) as total from accounts where kind = 'customer'`,
    );
    return row;
  }

  /** A customer account's status; a closed one stays closed. */
  async setStatus(accountId: string, status: Exclude<AccountStatus, 'closed'>): Promise<void> {
    await this.sql.query(SET_STATUS, [status, accountId]);
  }

  async setDailyLimit(accountId: string, dailyLimit: number): Promise<void> {
    await this.sql.query(SET_DAILY_LIMIT, [dailyLimit, accountId]);
  }

  /**
   * Closes an account only at a zero balance; true if it did. One conditional UPDATE: it takes the
   * row lock that every posting takes, so no deposit can slip in between the check and the close.
   */
  async closeIfEmpty(accountId: string): Promise<boolean> {
    return (await this.sql.query(CLOSE_IF_EMPTY, [accountId])).length === 1;
  }
}
