import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AccountType } from '@bank/contracts/accounts';
import type { Currency } from '@bank/contracts/money';
import { NotFound } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { SqlPool } from '@bank/db/sql-pool';
import { minorUnits } from './account-row';
import { Account } from './entities/account.entity';
import { Card } from './entities/card.entity';
import { randomAccountNumber } from './account-number-generator';

const ACCOUNT_NUMBER_ATTEMPTS = 5;

const SET_STATUS = { name: 'accounts-set-status', text: `update accounts set status = $1, updated_at = now() where id = $2 and kind = 'customer' and status <> 'closed'` };
const SET_DAILY_LIMIT = { name: 'accounts-set-daily-limit', text: `update accounts set daily_limit = $1, updated_at = now() where id = $2 and kind = 'customer'` };
const CLOSE_IF_EMPTY = {
  name: 'accounts-close-if-empty',
  text: `update accounts set status = 'closed', updated_at = now() where id = $1 and kind = 'customer' and balance = 0 returning id`,
};
const RESET_CARD_PIN = {
  name: 'cards-reset-pin',
  text: 'update cards set pin_hash = $1, failed_pin_attempts = 0, blocked_at = null, updated_at = now() where owner_id = $2 returning id',
};

/** Opens and reads customer accounts and cards. Balances are the ledger's to change. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly sql: SqlPool,
  ) {}

  /** Opens an account with a fresh number; joins the caller's transaction if there is one. */
  async openAccount(ownerId: string, type: AccountType, currency: Currency): Promise<Account> {
    for (let attempt = 1; attempt <= ACCOUNT_NUMBER_ATTEMPTS; attempt++) {
      // ON CONFLICT instead of catching the unique violation: a failed statement would abort the caller's transaction.
      const rows: Record<string, unknown>[] = await this.em.execute(
        `insert into accounts (id, owner_id, number, kind, type, currency) values (?, ?, ?, 'customer', ?, ?)
         on conflict (number) do nothing returning *`,
        [randomUUID(), ownerId, randomAccountNumber(), type, currency],
      );
      if (rows.length > 0) return this.em.map(Account, rows[0]);
    }
    throw new Error(`no free account number after ${ACCOUNT_NUMBER_ATTEMPTS} attempts`);
  }

  async issueCard(ownerId: string, pinHash: string): Promise<Card> {
    const card = this.em.create(Card, { ownerId, pinHash });
    await this.em.persistAndFlush(card);
    return card;
  }

  listForOwner(ownerId: string): Promise<Account[]> {
    return this.em.find(Account, { ownerId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** The account if the caller owns it; anyone else's is "not found", so ids cannot be probed. */
  async getOwned(accountId: string, ownerId: string): Promise<Account> {
    const account = await this.em.findOne(Account, { id: accountId, ownerId });
    if (!account) throw new NotFound('The account');
    return account;
  }

  async stats(): Promise<{ accounts: number; totalCustomerBalance: number }> {
    const [row] = await this.em.execute<Array<{ accounts: string; total: string }>>(
      `select count(*) as accounts, coalesce(sum(balance), 0) as total from accounts where kind = 'customer'`,
    );
    return { accounts: minorUnits(row.accounts), totalCustomerBalance: minorUnits(row.total) };
  }

  // The effects of service requests, applied with system rights in the fulfilment's transaction (SqlPool).

  /** Freeze or unfreeze. Closed accounts stay closed. */
  async setFrozen(accountId: string, frozen: boolean): Promise<void> {
    await this.sql.query(SET_STATUS, [frozen ? 'frozen' : 'active', accountId]);
  }

  async setDailyLimit(accountId: string, dailyLimit: number): Promise<void> {
    await this.sql.query(SET_DAILY_LIMIT, [dailyLimit, accountId]);
  }

  /**
   * Closes an account only at a zero balance. One conditional UPDATE: it takes the row lock that
   * every posting takes, so no deposit can slip in between the check and the close.
   */
  async closeIfEmpty(accountId: string): Promise<boolean> {
    return (await this.sql.query(CLOSE_IF_EMPTY, [accountId])).length === 1;
  }

  hashPin(pin: string): Promise<string> {
    return this.hasher.hash(pin);
  }

  /** A completed PIN reset's effect: the card gets the new PIN, its failure count is cleared and it is unblocked. */
  async resetCardPin(ownerId: string, pinHash: string): Promise<void> {
    if ((await this.sql.query(RESET_CARD_PIN, [pinHash, ownerId])).length === 0) throw new NotFound('The card');
  }
}
