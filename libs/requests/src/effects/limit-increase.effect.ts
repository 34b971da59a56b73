import { REQUEST_DETAILS_SCHEMAS } from '@bank/contracts/requests';
import type { RequestEffect } from './request-effect';

/** The account's new daily limit, as filed in the request's details. */
export const limitIncreaseEffect: RequestEffect = {
  async fulfil({ accounts }, request) {
    await accounts.setDailyLimit(request.accountId!, REQUEST_DETAILS_SCHEMAS.limit_increase.parse(request.details).dailyLimit);
    return null;
  },
};
