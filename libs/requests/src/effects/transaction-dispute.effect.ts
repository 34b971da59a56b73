import { TransactionDisputeDetailsSchema } from '@bank/contracts/disputes';
import type { RequestEffect } from './request-effect';

/**
 * An approved dispute reverses its transfer, once (money_reverse: a second run finds it reversed),
 * on behalf of the employee who approved it. A recipient who no longer holds the funds fails the
 * request with INSUFFICIENT_FUNDS and nothing moves.
 */
export const transactionDisputeEffect: RequestEffect = {
  async fulfil({ reversals }, request) {
    const { transactionId } = TransactionDisputeDetailsSchema.parse(request.details);
    return reversals.reverse(transactionId, request.assigneeId);
  },
};
