import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AccountView } from '@bank/contracts/accounts';
import type { DepositRequest, TransactionView, TransferRequest, WithdrawalRequest } from '@bank/contracts/ledger';
import { AccountsService } from '@bank/accounts/accounts.service';
import { accountRowToView, CASH_ACCOUNT_ID_USD, minorUnits, type AccountRow } from '@bank/accounts/account-row';
import { NotFound } from '@bank/problems/domain-error';
import { IdempotencyService, type CommandResult } from './idempotency.service';
import { LedgerPostingService, type PostingLeg } from './ledger-posting.service';
import { AccountFrozen, CurrencyMismatch, DailyLimitExceeded, InsufficientFunds, SelfTransfer } from './ledger.errors';

export interface MoneyMoved {
  transaction: TransactionView;
  /** The account the caller acted on (a transfer's source), after the move. */
  account: AccountView;
}

/** The columns every money command reads under its row lock, with the owner's name and the transaction time. */
const LOCK_SELECT = 'select a.*, u.full_name as owner_name, now() as now from accounts a join users u on u.id = a.owner_id';

/**
 * An account row locked for a money command. The owner's name is read in the same statement (a
 * join into the users table, the one read outside its module: it saves a round trip per transfer).
 */
type LockedAccountRow = AccountRow & { owner_name: string; now: Date | string };

function utcToday(now: Date | string): string {
  return new Date(now).toISOString().slice(0, 10);
}

function spentToday(account: AccountRow, today: string): number {
  const spentOn = account.spent_on === null ? null : typeof account.spent_on === 'string' ? account.spent_on.slice(0, 10) : dateOnly(account.spent_on);
  return spentOn === today ? minorUnits(account.spent_today) : 0;
}

/** A `date` column read by node-postgres is a local-midnight Date; format it back as written. */
function dateOnly(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/**
 * Deposits, withdrawals and transfers: the money rules of DESIGN.md. Each command runs in one
 * transaction with its idempotency record; the customer account rows it touches are locked in
 * id order (so two transfers between the same accounts cannot deadlock) and every rule is checked
 * on the locked rows before anything is written.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly em: EntityManager,
    private readonly idempotency: IdempotencyService,
    private readonly posting: LedgerPostingService,
    private readonly accounts: AccountsService,
  ) {}

  deposit(userId: string, accountId: string, request: DepositRequest, idempotencyKey?: string): Promise<CommandResult<MoneyMoved>> {
    return this.idempotency.run({ userId, idempotencyKey, request: { op: 'deposit', accountId, ...request } }, async () => {
      const account = await this.lockOwnedAccount(userId, accountId);
      if (account.status === 'closed') throw new AccountFrozen('closed', 'target');
      return this.postAgainstCash('deposit', userId, account, request.amount, request.description);
    });
  }

  withdraw(userId: string, accountId: string, request: WithdrawalRequest, idempotencyKey?: string): Promise<CommandResult<MoneyMoved>> {
    const { pin, ...withoutPin } = request;
    // The PIN stays out of the request fingerprint: a digest of 4 digits would be trivially reversed.
    return this.idempotency.run({ userId, idempotencyKey, request: { op: 'withdrawal', accountId, ...withoutPin } }, async () => {
      await this.accounts.getOwned(accountId, userId);
      // Card before account: the only lock order that includes cards, so no deadlock.
      await this.accounts.verifyCardPin(userId, pin);
      const account = await this.lockOwnedAccount(userId, accountId);
      this.assertDebitable(account, 'source');
      const balance = minorUnits(account.balance);
      if (balance < request.amount) throw new InsufficientFunds(balance, request.amount);
      return this.postAgainstCash('withdrawal', userId, account, request.amount, withoutPin.description);
    });
  }

  transfer(userId: string, request: TransferRequest, idempotencyKey?: string): Promise<CommandResult<MoneyMoved>> {
    return this.idempotency.run({ userId, idempotencyKey, request: { op: 'transfer', ...request } }, async () => {
      // One statement finds, locks (in id order) and names both sides, and reads the transaction time.
      const locked = await this.em.execute<LockedAccountRow[]>(
        `${LOCK_SELECT} where a.kind = 'customer' and (a.id = ? or a.number = ?) order by a.id for update of a`,
        [request.fromAccountId, request.toAccountNumber],
      );
      const from = locked.find((row) => row.id === request.fromAccountId && row.owner_id === userId);
      if (!from) throw new NotFound('The source account');
      const to = locked.find((row) => row.number.trim() === request.toAccountNumber);
      if (!to) throw new NotFound('No account with this number');
      if (to.id === from.id) throw new SelfTransfer();
      if (from.currency !== to.currency) throw new CurrencyMismatch(from.currency.trim(), to.currency.trim());
      this.assertDebitable(from, 'source');
      if (to.status === 'closed') throw new AccountFrozen('closed', 'target');
      const balance = minorUnits(from.balance);
      if (balance < request.amount) throw new InsufficientFunds(balance, request.amount);
      const today = utcToday(from.now);
      const dailyLimit = minorUnits(from.daily_limit);
      const remaining = dailyLimit - spentToday(from, today);
      if (request.amount > remaining) throw new DailyLimitExceeded(dailyLimit, Math.max(0, remaining));

      const legs: PostingLeg[] = [
        { account: from, amount: -request.amount, counterparty: { account: to, name: to.owner_name }, spend: request.amount },
        { account: to, amount: request.amount, counterparty: { account: from, name: from.owner_name }, spend: 0 },
      ];
      const posted = await this.posting.post({
        kind: 'transfer',
        amount: request.amount,
        currency: from.currency.trim(),
        description: request.description ?? null,
        initiatedBy: userId,
        today,
        transactionTime: new Date(from.now),
        legs,
      });
      return { transaction: posted.transaction, account: accountRowToView(from, posted.legs[0].balanceAfter) };
    });
  }

  /** A deposit credits the customer and debits the cash account; a withdrawal the reverse. */
  private async postAgainstCash(
    kind: 'deposit' | 'withdrawal',
    userId: string,
    account: LockedAccountRow,
    amount: number,
    description: string | undefined,
  ): Promise<MoneyMoved> {
    const customerAmount = kind === 'deposit' ? amount : -amount;
    const posted = await this.posting.post({
      kind,
      amount,
      currency: account.currency.trim(),
      description: description ?? null,
      initiatedBy: userId,
      today: utcToday(account.now),
      transactionTime: new Date(account.now),
      legs: [
        { account, amount: customerAmount, counterparty: null, spend: 0 },
        { account: this.cashAccount(account.currency), amount: -customerAmount, counterparty: null, spend: 0 },
      ],
    });
    return { transaction: posted.transaction, account: accountRowToView(account, posted.legs[0].balanceAfter) };
  }

  private assertDebitable(account: AccountRow, role: 'source' | 'target'): void {
    if (account.status !== 'active') throw new AccountFrozen(account.status, role);
  }

  /** Locks one of the caller's accounts. Every command locks customer accounts in id order (FOR UPDATE … ORDER BY id). */
  private async lockOwnedAccount(ownerId: string, id: string): Promise<LockedAccountRow> {
    const [row] = await this.em.execute<LockedAccountRow[]>(`${LOCK_SELECT} where a.id = ? and a.kind = 'customer' for update of a`, [id]);
    if (!row || row.owner_id !== ownerId) throw new NotFound('The account');
    return row;
  }

  private cashAccount(currency: string): AccountRow {
    if (currency.trim() !== 'USD') throw new Error(`no cash account for ${currency}`);
    // Never locked or read per posting: only its id and kind matter to the posting function.
    return {
      id: CASH_ACCOUNT_ID_USD,
      owner_id: null,
      number: '900000000019',
      kind: 'system',
      type: 'cash',
      currency: 'USD',
      status: 'active',
      balance: 0,
      daily_limit: 0,
      spent_today: 0,
      spent_on: null,
      entry_count: 0,
      created_at: new Date(0),
    };
  }
}
