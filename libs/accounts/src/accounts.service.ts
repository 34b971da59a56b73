import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccountLookup, AccountType, AccountView } from '@bank/contracts/accounts';
import type { Currency } from '@bank/contracts/money';
import { NotFound } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { minorUnits, minorUnitsTotal } from '@bank/db/minor-units';
import type { MinorUnitsTotal } from '@bank/contracts/money';
import { toAccountView, type Account } from './entities/account.entity';
import type { Card } from './entities/card.entity';
import { AccountsRepository } from './accounts.repository';
import { CardsRepository } from './cards.repository';
import { randomAccountNumber } from './account-number-generator';
import { maskHolderName } from './holder-name';

const ACCOUNT_NUMBER_ATTEMPTS = 5;

/** Opens and reads customer accounts and cards. Balances are the ledger's to change. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly cards: CardsRepository,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
  ) {}

  /** Opens an account with a fresh number; joins the caller's transaction if there is one. */
  async openAccount(ownerId: string, type: AccountType, currency: Currency): Promise<Account> {
    for (let attempt = 1; attempt <= ACCOUNT_NUMBER_ATTEMPTS; attempt++) {
      const account = await this.accounts.insertCustomerAccount(randomUUID(), ownerId, randomAccountNumber(), type, currency);
      if (account) return account;
    }
    throw new Error(`no free account number after ${ACCOUNT_NUMBER_ATTEMPTS} attempts`);
  }

  issueCard(ownerId: string, pinHash: string): Promise<Card> {
    return this.cards.insert(ownerId, pinHash);
  }

  listForOwner(ownerId: string): Promise<Account[]> {
    return this.accounts.findByOwner(ownerId);
  }

  /** The owner's accounts as API.md's `account`, oldest first (what an admin reads about a user). */
  async viewsForOwner(ownerId: string): Promise<AccountView[]> {
    return (await this.accounts.findByOwner(ownerId)).map(toAccountView);
  }

  /** Who owns the customer account with this number (an exact match); null when nobody does. */
  ownerOfNumber(number: string): Promise<string | null> {
    return this.accounts.ownerOfNumber(number);
  }

  /** The account if the caller owns it; anyone else's is "not found", so ids cannot be probed. */
  async getOwned(accountId: string, ownerId: string): Promise<Account> {
    const account = await this.accounts.findOwned(accountId, ownerId);
    if (!account) throw new NotFound('The account');
    return account;
  }

  /**
   * Who would receive a transfer to this number, masked (API.md `GET /accounts/lookup`). An account
   * that cannot receive — closed, or the bank's own — is "not found" like a number nobody has:
   * there is nobody to pay there, so no name is given out for it (a transfer to a closed account is
   * refused with 422 `ACCOUNT_FROZEN`; the confirmation step never gets that far).
   */
  async lookup(number: string): Promise<AccountLookup> {
    const account = await this.accounts.findReceivingByNumber(number);
    const fullName = account ? (await this.users.fullNames([account.ownerId])).get(account.ownerId) : undefined;
    if (!account || fullName === undefined) throw new NotFound('An account with this number');
    return { accountNumber: account.number, name: maskHolderName(fullName) };
  }

  /**
   * Number → the holder's current name, masked as `lookup` masks it, for the customer accounts
   * among these numbers — closed ones too (a saved payee keeps its name after its account closes:
   * the customer was shown it when saving). Numbers no customer account has are left out.
   */
  async maskedHolderNames(numbers: readonly string[]): Promise<Map<string, string>> {
    if (numbers.length === 0) return new Map();
    const owners = await this.accounts.ownersOfNumbers(numbers);
    const fullNames = await this.users.fullNames([...owners.values()]);
    const names = new Map<string, string>();
    for (const [number, ownerId] of owners) {
      const fullName = fullNames.get(ownerId);
      if (fullName !== undefined) names.set(number, maskHolderName(fullName));
    }
    return names;
  }

  async stats(): Promise<{ accounts: number; totalCustomerBalance: MinorUnitsTotal }> {
    const totals = await this.accounts.customerTotals();
    return { accounts: minorUnits(totals.accounts), totalCustomerBalance: minorUnitsTotal(totals.total) };
  }

  // The effects of service requests, applied with system rights in the fulfilment's transaction (SqlPool).

  /** Freeze or unfreeze. Closed accounts stay closed. */
  async setFrozen(accountId: string, frozen: boolean): Promise<void> {
    await this.accounts.setStatus(accountId, frozen ? 'frozen' : 'active');
  }

  async setDailyLimit(accountId: string, dailyLimit: number): Promise<void> {
    await this.accounts.setDailyLimit(accountId, dailyLimit);
  }

  /** Closes an account only at a zero balance (the check and the close are one statement: see the repository). */
  closeIfEmpty(accountId: string): Promise<boolean> {
    return this.accounts.closeIfEmpty(accountId);
  }

  hashPin(pin: string): Promise<string> {
    return this.hasher.hash(pin);
  }

  /** A completed PIN reset's effect: the card gets the new PIN, its failure count is cleared and it is unblocked. */
  async resetCardPin(ownerId: string, pinHash: string): Promise<void> {
    if (!(await this.cards.resetPin(ownerId, pinHash))) throw new NotFound('The card');
  }
}
