import { canTransition, isOverdue, type RequestStatus, type RequestType, type RequestView } from '@bank/contracts/requests';
import type { PresenceViewer } from '@bank/contracts/presence';

export const REQUEST_TYPE_LABELS: Record<RequestType, string> = {
  card_pin_reset: 'Card PIN reset',
  name_change: 'Name change',
  kyc_update: 'Address and phone update',
  limit_increase: 'Daily limit increase',
  account_freeze: 'Freeze account',
  account_unfreeze: 'Unfreeze account',
  account_closure: 'Close account',
  transfer_review: 'Transfer held for review',
  transaction_dispute: 'Disputed transfer',
};

export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
  submitted: 'Submitted',
  pending_review: 'Waiting for review',
  in_review: 'In review',
  awaiting_customer: 'Waiting for you',
  awaiting_second_approval: 'Waiting for a second approval',
  approved: 'Approved',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
};

/**
 * Whether `candidate` is news about `known` (the same request): updated later, or — at the same
 * instant, as when one statement files a request straight into the queue — a status `known`
 * cannot move to. An event that arrives after the answer it preceded is not news.
 */
export function supersedes(candidate: Pick<RequestView, 'status' | 'updatedAt'>, known: Pick<RequestView, 'status' | 'updatedAt'>): boolean {
  const at = Date.parse(candidate.updatedAt) - Date.parse(known.updatedAt);
  if (at !== 0) return at > 0;
  return !canTransition(candidate.status, known.status);
}

/**
 * The employees' queue order: overdue first (past `dueAt`), then held transfers (their customer is
 * waiting on the money), then by when they were filed, oldest first.
 */
export function queueOrder(requests: readonly RequestView[], now: number): RequestView[] {
  const rank = (request: RequestView) => (isOverdue(request, now) ? 0 : 2) + (request.type === 'transfer_review' ? 0 : 1);
  return [...requests].sort((a, b) => rank(a) - rank(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
}

/** "Emma is viewing", "Emma and Noah are viewing", "Emma, Noah and 2 others are viewing" — the others, never the reader. */
export function viewersLine(viewers: readonly PresenceViewer[], meId: string | undefined): string | null {
  const names = viewers.filter((viewer) => viewer.userId !== meId).map((viewer) => viewer.fullName);
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is viewing`;
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are viewing`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others are viewing`;
}
