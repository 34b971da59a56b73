import type { HoldReason, HoldStatus, HoldView } from '@bank/contracts/holds';
import type { RequestView } from '@bank/contracts/requests';

/** Why a transfer was held, in the customer's and the reviewer's words (API.md "Holds", the review rules). */
export const HOLD_REASON_LABELS: Record<HoldReason, string> = {
  amount: 'Amount over the review threshold',
  new_payee: 'First large payment to this payee',
  velocity: 'Many transfers in a short time',
};

export const HOLD_STATUS_LABELS: Record<HoldStatus, string> = {
  pending: 'Waiting for review',
  posted: 'Approved and sent',
  voided: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/**
 * What a held transfer's status means for its owner, beyond its label. A rejection carries the
 * reviewer's reason, which travels on the hold's `transfer_review` request (its `resolution`), not
 * on the hold.
 */
export function holdOutcome(hold: Pick<HoldView, 'status'>, resolution: string | null | undefined): string {
  switch (hold.status) {
    case 'pending':
      return 'The amount is reserved until the bank decides.';
    case 'posted':
      return 'The money has been sent.';
    case 'voided':
      return `${resolution ? `Reason: ${resolution.trim().replace(/[.!]+$/, '')}. ` : ''}The amount is available again.`;
    case 'cancelled':
      return 'You cancelled it. The amount is available again.';
    case 'expired':
      return 'Nobody decided it in time, so it was not sent. The amount is available again.';
  }
}

const DAY_MS = 86_400_000;

/** How long an account has been open, as a reviewer weighs it ("opened today", "opened 3 days ago", "opened 2 years ago"). */
export function accountAge(openedAt: string, now: number): string {
  const days = Math.max(0, Math.floor((now - Date.parse(openedAt)) / DAY_MS));
  if (days === 0) return 'opened today';
  const [count, unit] = days < 60 ? [days, 'day'] : days < 730 ? [Math.floor(days / 30.44), 'month'] : [Math.floor(days / 365.25), 'year'];
  return `opened ${count} ${unit}${count === 1 ? '' : 's'} ago`;
}

/** The employees' queue order: held transfers first (their customer is waiting on the money), then by when they were filed, oldest first. */
export function reviewOrder(requests: readonly RequestView[]): RequestView[] {
  const rank = (request: RequestView) => (request.type === 'transfer_review' ? 0 : 1);
  return [...requests].sort((a, b) => rank(a) - rank(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
}
