import { z } from 'zod';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

/** A posted transfer can be disputed by its sender for this many days after it posted (API.md "Disputes and reversals"). */
export const DISPUTE_WINDOW_DAYS = 60;

const DisputeReasonSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(500, { error: 'must be at most 500 characters' })
  .refine(isStorableText, { error: STORABLE_TEXT_ERROR });

/** The body of `POST /transactions/:id/disputes`. */
export const DisputeRequestSchema = z.strictObject({ reason: DisputeReasonSchema });
export type DisputeRequest = z.infer<typeof DisputeRequestSchema>;

/**
 * The details of a `transaction_dispute` request: API.md's `{transactionId, reason}`, and the facts the
 * reviewer decides on (the disputed transfer's amount, currency, time and recipient), filed with it.
 */
export const TransactionDisputeDetailsSchema = z.strictObject({
  transactionId: z.uuid(),
  reason: DisputeReasonSchema,
  amount: z.number().int().positive(),
  currency: z.string(),
  transferredAt: z.string(),
  recipient: z.strictObject({ accountNumber: z.string(), name: z.string() }),
});
export type TransactionDisputeDetails = z.infer<typeof TransactionDisputeDetailsSchema>;

/**
 * Why a dispute is refused with 422 `DISPUTE_NOT_ALLOWED` (the problem document's `reason`): not a
 * transfer the caller sent (a deposit, a withdrawal, a reversal, or a transfer they received), older
 * than the window, or reversed already.
 */
export const DISPUTE_REFUSAL_REASONS = ['not_sent_transfer', 'too_old', 'already_reversed'] as const;
export type DisputeRefusalReason = (typeof DISPUTE_REFUSAL_REASONS)[number];
