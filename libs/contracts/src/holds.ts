import { z } from 'zod';
import type { AccountView } from './accounts';
import type { Counterparty } from './ledger';
import { PageQuerySchema } from './pagination';

export const HOLD_STATUSES = ['pending', 'posted', 'voided', 'cancelled', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/** The review rules of API.md "Holds", in the order they are checked. */
export const HOLD_REASONS = ['amount', 'new_payee', 'velocity'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** `hold` of API.md: a transfer reviewed before it posts; its amount is reserved while pending. */
export interface HoldView {
  id: string;
  status: HoldStatus;
  reason: HoldReason;
  amount: number;
  currency: string;
  fromAccountId: string;
  counterparty: Counterparty;
  description: string | null;
  requestId: string;
  transactionId: string | null;
  expiresAt: string;
  createdAt: string;
  decidedAt: string | null;
}

/** A transfer the sender made, as the reviewer sees it. */
export interface ReviewedTransfer {
  amount: number;
  counterparty: Counterparty | null;
  createdAt: string;
}

/**
 * The facts an employee decides a held transfer on, and nothing else (no balances, no addresses):
 * the hold itself (amount, recipient, rule), the sender, how old the sending account is, and the
 * sender's last 10 transfers from it.
 */
export interface HoldReview {
  sender: { name: string; accountNumber: string; accountOpenedAt: string };
  recentTransfers: ReviewedTransfer[];
}

/** `GET /holds/:id` for employees and admins: the hold with its review facts. */
export type ReviewedHoldView = HoldView & { review: HoldReview };

/** `POST /transfers` answered 202: held for review, the amount reserved (`account` = the source after it). */
export interface TransferHeld {
  hold: HoldView;
  account: AccountView;
}

export const HoldListQuerySchema = PageQuerySchema.extend({ status: z.enum(HOLD_STATUSES).optional() });
export type HoldListQuery = z.infer<typeof HoldListQuerySchema>;
