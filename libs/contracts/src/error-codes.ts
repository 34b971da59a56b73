/** Stable, machine-readable problem codes of the public contract (API.md "Conventions"). */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'TOKEN_INVALID',
  'TOKEN_REUSED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INSUFFICIENT_FUNDS',
  'SELF_TRANSFER',
  'CURRENCY_MISMATCH',
  'ACCOUNT_FROZEN',
  'DAILY_LIMIT_EXCEEDED',
  'PIN_INVALID',
  'CARD_BLOCKED',
  'INVALID_STATE_TRANSITION',
  'IDEMPOTENCY_KEY_REUSED',
  'ADMIN_KEY_INVALID',
  'RATE_LIMITED',
  'CONFLICT',
  'UNSUPPORTED_MEDIA_TYPE',
  'HOLD_NOT_PENDING',
  'DISPUTE_NOT_ALLOWED',
  'SECOND_APPROVER_REQUIRED',
  'MFA_REQUIRED',
  'MFA_INVALID',
  // A password change whose current password is wrong (422).
  'PASSWORD_INVALID',
  // Extensions beyond the v1 list: codes for failures no client input should cause.
  'FEATURE_UNAVAILABLE',
  // A reassignment to someone who cannot review: not an employee, or locked (422).
  'ASSIGNEE_NOT_ELIGIBLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
  // No format the client's Accept allows (a statement is text/csv or application/pdf) (406).
  'NOT_ACCEPTABLE',
  // A scheduled transfer that cannot run: its first date is not a real date or is past, or its count is out of range (400).
  'SCHEDULE_INVALID',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
