import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';
import type { MoneyMoved } from '@bank/contracts/ledger';

/**
 * One money command as `money_execute` takes it (the `money_command` type of the migration): a
 * JSON object per command, keys named like the type's columns.
 */
export interface MoneyCommandRow {
  /** Arrival order inside its batch, from 1; set when the batch is sent. */
  n?: number;
  op: 'deposit' | 'withdrawal' | 'transfer';
  user_id: string;
  key: string | null;
  /** What makes two requests under one key "the same" (see requestFingerprint); null without a key. */
  fingerprint: string | null;
  /** The account acted on: a deposit's or withdrawal's account, a transfer's source. */
  account_id: string;
  to_number?: string;
  amount: number;
  description: string | null;
  /** Withdrawals: the card whose PIN Node checked, the hash it checked against, and the result. */
  card_id?: string | null;
  pin_hash?: string | null;
  pin_ok?: boolean;
}

/** A refusal as `money_refusal` writes it: the code and what its problem document needs. */
export type MoneyRefusal =
  | { code: 'NOT_FOUND'; params: { subject: 'account' | 'source' | 'target' | 'card' } }
  | { code: 'ACCOUNT_FROZEN'; params: { accountStatus: 'frozen' | 'closed'; role: 'source' | 'target' } }
  | { code: 'INSUFFICIENT_FUNDS'; params: { balance: number; amount: number } }
  | { code: 'DAILY_LIMIT_EXCEEDED'; params: { dailyLimit: number; remaining: number } }
  | { code: 'CURRENCY_MISMATCH'; params: { from: string; to: string } }
  | { code: 'SELF_TRANSFER'; params: Record<string, never> }
  | { code: 'PIN_INVALID'; params: { attemptsLeft: number } }
  | { code: 'CARD_BLOCKED'; params: Record<string, never> };

/** A refusal stored by the api before money_execute existed: the problem document's parts. */
export interface LegacyRefusal {
  code: ErrorCode;
  status: number;
  detail: string;
  extensions: Record<string, unknown>;
  errors?: FieldError[];
}

/** What `money_execute` answers for one command, in the command's position. */
export type MoneyOutcomeRow =
  | { status: 201; body: MoneyMoved; replayed?: true }
  | { status: number; body: { refusal: MoneyRefusal | LegacyRefusal }; replayed?: true }
  | { status: 422; reused: true };
