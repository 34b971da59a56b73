import type { RequestEffect } from './request-effect';

export const accountFreezeEffect: RequestEffect = {
  async fulfil({ accounts }, request) {
    await accounts.setFrozen(request.accountId!, true);
    return null;
  },
};
