import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';
import type { MoneyMoved } from '@bank/contracts/ledger';
import type { TransferHeld } from '@bank/contracts/holds';

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
  /** Transfers: the review rules in force (config.review; null = off) and a hold's time to live. */
  review_amount?: number | null;
  review_new_payee_amount?: number | null;
  review_velocity_count?: number | null;
  review_velocity_window_s?: number | null;
  hold_ttl_s?: number;
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
  | { status: 202; body: TransferHeld; replayed?: true }
  | { status: number; body: { refusal: MoneyRefusal | LegacyRefusal }; replayed?: true }
  | { status: 422; reused: true };
