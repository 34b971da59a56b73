import type { RequestType } from '@bank/contracts/requests';

/** The thresholds of AppConfig.queue: above them one employee's approval is not enough (null: never). */
export interface SecondApprovalThresholds {
  secondApprovalLimit: number | null;
  secondApprovalAmount: number | null;
}

/**
 * Maker-checker (API.md "The employee queue"): a `limit_increase` to a daily limit above
 * SECOND_APPROVAL_LIMIT, or a `transaction_dispute` of an amount above SECOND_APPROVAL_AMOUNT,
 * needs the approval of a second, different employee. Details are fixed when a request is filed,
 * so this answer never changes for a request.
 */
export function needsSecondApproval(request: { type: RequestType; details: Record<string, unknown> }, thresholds: SecondApprovalThresholds): boolean {
  const above = (value: unknown, threshold: number | null) => threshold !== null && typeof value === 'number' && value > threshold;
  if (request.type === 'limit_increase') return above(request.details.dailyLimit, thresholds.secondApprovalLimit);
  if (request.type === 'transaction_dispute') return above(request.details.amount, thresholds.secondApprovalAmount);
  return false;
}
