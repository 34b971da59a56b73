import { z } from 'zod';
import type { AccountView } from './accounts';
import { AccountNumberSchema } from './account-number';
import { AmountSchema, type MinorUnitsTotal } from './money';
import { CardPinSchema } from './users';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
export const IdempotencyKeySchema = z.string().min(1, { error: 'must not be empty' }).max(255, { error: 'must be at most 255 characters' });

const DescriptionSchema = z.string().trim().max(140, { error: 'must be at most 140 characters' }).refine(isStorableText, { error: STORABLE_TEXT_ERROR });

export const DepositRequestSchema = z.strictObject({
  amount: AmountSchema,
  description: DescriptionSchema.optional(),
});
export type DepositRequest = z.infer<typeof DepositRequestSchema>;

export const WithdrawalRequestSchema = z.strictObject({
  amount: AmountSchema,
  pin: CardPinSchema,
  description: DescriptionSchema.optional(),
});
export type WithdrawalRequest = z.infer<typeof WithdrawalRequestSchema>;


export const TransferRequestSchema = z.strictObject({
  fromAccountId: z.uuid({ error: 'must be an account id (UUID)' }),
  toAccountNumber: AccountNumberSchema,
  amount: AmountSchema,
  description: DescriptionSchema.optional(),
});
export type TransferRequest = z.infer<typeof TransferRequestSchema>;

export const TRANSACTION_KINDS = ['deposit', 'withdrawal', 'transfer', 'reversal'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** `transaction` of API.md. */
export interface TransactionView {
  id: string;
  kind: TransactionKind;
  amount: number;
  currency: string;
  description: string | null;
  createdAt: string;
  /** A reversal: the transfer it reverses; null for every other kind. */
  reversesTransactionId: string | null;
  /** A reversed transfer: the reversal that undid it (a transaction is reversed at most once); else null. */
  reversedByTransactionId: string | null;
}

/** `{transaction, account}`: the answer of every POST that moves money (`account` = the one acted on, after the move). */
export interface MoneyMoved {
  transaction: TransactionView;
  account: AccountView;
}

export interface Counterparty {
  accountNumber: string;
  name: string;
}

/** `entry` of API.md: one side of a transaction, as the account's statement shows it. */
export interface EntryView {
  id: string;
  transactionId: string;
  kind: TransactionKind;
  /** Signed: + credit, − debit. */
  amount: number;
  balanceAfter: number;
  counterparty: Counterparty | null;
  description: string | null;
  createdAt: string;
  /**
   * The links of the entry's transaction (see TransactionView). Always sent by the statement; absent
   * only from `transaction.posted` events stored before reversals existed, which are replayed as stored.
   */
  reversesTransactionId?: string | null;
  reversedByTransactionId?: string | null;
}

export interface LedgerMismatch {
  accountId: string;
  number: string;
  storedBalance: MinorUnitsTotal;
  entriesSum: MinorUnitsTotal;
}

/** Every amount in it is exact: a JSON number while safe, else a decimal string (see MinorUnitsTotal). */
export interface LedgerCheck {
  balanced: boolean;
  /** How many accounts were checked, system accounts included. */
  accounts: number;
  /** Customer balances as stored plus system balances derived from entries: always 0. */
  sumOfBalances: MinorUnitsTotal;
  mismatches: LedgerMismatch[];
  unbalancedTransactions: Array<{ transactionId: string; entriesSum: MinorUnitsTotal; entries: number }>;
  negativeBalances: Array<{ accountId: string; number: string; balance: MinorUnitsTotal }>;
  /** Accounts whose reserved amount (`balance − availableBalance`) is not the sum of their pending holds. */
  heldMismatches: Array<{ accountId: string; number: string; held: MinorUnitsTotal; pendingHolds: MinorUnitsTotal }>;
}
