import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AccountType } from '@bank/contracts/accounts';
import type { Currency } from '@bank/contracts/money';
import { NotFound } from '@bank/problems/domain-error';
import { Account } from './entities/account.entity';
import { Card } from './entities/card.entity';
import { randomAccountNumber } from './account-number-generator';

const ACCOUNT_NUMBER_ATTEMPTS = 5;

/** Opens and reads customer accounts and cards. Balances are the ledger's to change. */
@Injectable()
export class AccountsService {
  constructor(private readonly em: EntityManager) {}

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
}
