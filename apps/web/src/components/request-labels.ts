import type { RequestStatus, RequestType } from '@bank/contracts/requests';

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
  approved: 'Approved',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
};
