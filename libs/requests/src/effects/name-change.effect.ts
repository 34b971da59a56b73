import { SUBMIT_SCHEMAS } from '@bank/contracts/requests';
import { parseSubmittedInput, type RequestEffect } from './request-effect';

/** The owner's new full name, given by the owner after approval (staff never see it). */
export const nameChangeEffect: RequestEffect = {
  fulfil: async () => null, // applied when the owner submitted the name
  async prepareInput({ users }, ownerId, body) {
    const { fullName } = parseSubmittedInput(SUBMIT_SCHEMAS.name_change, body);
    return () => users.rename(ownerId, fullName);
  },
};
