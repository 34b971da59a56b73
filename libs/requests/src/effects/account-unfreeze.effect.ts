import type { RequestEffect } from './request-effect';

export const accountUnfreezeEffect: RequestEffect = {
  async fulfil({ accounts }, request) {
    await accounts.setFrozen(request.accountId!, false);
    return null;
  },
};
