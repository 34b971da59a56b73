import { ApiProblem } from '@bank/contracts/client/api-problem';
import { DISPUTE_REFUSAL_REASONS, DISPUTE_WINDOW_DAYS, type DisputeRefusalReason } from '@bank/contracts/disputes';
import type { EntryView } from '@bank/contracts/ledger';
import type { RequestView } from '@bank/contracts/requests';

const DAY_MS = 86_400_000;

/**
 * Whether the history offers "Dispute" on this entry (API.md "Disputes and reversals"): a transfer
 * this account sent (a debit), not reversed, posted less than the window ago. The api checks the
 * same again; this only keeps the button off rows it would refuse.
 */
export function isDisputable(entry: EntryView, now: number): boolean {
  return entry.kind === 'transfer' && entry.amount < 0 && !entry.reversedByTransactionId && now - Date.parse(entry.createdAt) < DISPUTE_WINDOW_DAYS * DAY_MS;
}

export const DISPUTE_REFUSALS: Record<DisputeRefusalReason, string> = {
  not_sent_transfer: 'Only a transfer you sent can be disputed.',
  too_old: `This transfer is more than ${DISPUTE_WINDOW_DAYS} days old and can no longer be disputed.`,
  already_reversed: 'This transfer has already been reversed: the money is back in your account.',
};

function isRefusalReason(value: unknown): value is DisputeRefusalReason {
  return DISPUTE_REFUSAL_REASONS.includes(value as DisputeRefusalReason);
}

/** A sentence for a refused dispute (409 one is open, 422 with its `reason`), or undefined for any other failure. */
export function disputeRefusal(error: unknown): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  if (error.code === 'CONFLICT') return 'You have already disputed this transfer: the bank is reviewing it. Follow it under Service requests.';
  if (error.code !== 'DISPUTE_NOT_ALLOWED') return undefined;
  const reason = error.document.reason;
  return isRefusalReason(reason) ? DISPUTE_REFUSALS[reason] : 'This transfer cannot be disputed.';
}

/** The reason a customer gave for a `transaction_dispute`, if the request is one. */
export function disputeReason(request: Pick<RequestView, 'type' | 'details'>): string | undefined {
  if (request.type !== 'transaction_dispute') return undefined;
  const reason = (request.details as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The transfer a `transaction_dispute` is about, if the request is one. */
export function disputedTransactionId(request: Pick<RequestView, 'type' | 'details'>): string | undefined {
  if (request.type !== 'transaction_dispute') return undefined;
  const id = (request.details as { transactionId?: unknown }).transactionId;
  return typeof id === 'string' ? id : undefined;
}

/** How a dispute ended, for its owner: a failed reversal's code in words; other resolutions (a rejection's reason) as written. */
export function disputeOutcome(request: Pick<RequestView, 'type' | 'status' | 'resolution'>): string | null {
  if (request.type !== 'transaction_dispute') return request.resolution;
  if (request.status === 'failed' && request.resolution === 'INSUFFICIENT_FUNDS') return 'The recipient no longer holds the money, so nothing was reversed.';
  if (request.status === 'completed') return 'The transfer is reversed: the money is back in your account.';
  return request.resolution;
}

/** What a reversal in the history says about the transfer it undid, when that row is loaded. */
export function reversalCaption(original: Pick<EntryView, 'counterparty' | 'amount'> | undefined, when: string | undefined): string {
  if (!original || !when) return 'Reversal of an earlier transfer';
  const party = original.counterparty ? ` ${original.amount < 0 ? 'to' : 'from'} ${original.counterparty.name}` : '';
  return `Reversal of the transfer${party} of ${when}`;
}
