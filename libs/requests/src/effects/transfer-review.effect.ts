import { TransferReviewDetailsSchema } from '@bank/contracts/requests';
import type { RequestEffect } from './request-effect';

/**
 * An approved transfer review posts its hold, once (hold_post: a second run finds it posted). A
 * source frozen (or a target closed) meanwhile fails the request with ACCOUNT_FROZEN and voids the hold.
 */
export const transferReviewEffect: RequestEffect = {
  async fulfil({ holds }, request) {
    const { holdId } = TransferReviewDetailsSchema.parse(request.details);
    return holds.post(holdId);
  },
};
