import { REQUEST_DETAILS_SCHEMAS } from '@bank/contracts/requests';
import type { RequestEffect } from './request-effect';

/** The owner's address and phone, as filed in the request's details. */
export const kycUpdateEffect: RequestEffect = {
  async fulfil({ users }, request) {
    await users.updateContact(request.ownerId, REQUEST_DETAILS_SCHEMAS.kyc_update.parse(request.details));
    return null;
  },
};
