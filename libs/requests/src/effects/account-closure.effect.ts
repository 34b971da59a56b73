import type { RequestEffect } from './request-effect';

/** Closes the account only if it is empty; otherwise the request fails with the reason (triage has flagged it already). */
export const accountClosureEffect: RequestEffect = {
  async fulfil({ accounts }, request) {
    return (await accounts.closeIfEmpty(request.accountId!)) ? null : 'The account balance is not zero: empty it before closing.';
  },
};
