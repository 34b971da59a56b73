import { SUBMIT_SCHEMAS } from '@bank/contracts/requests';
import { parseSubmittedInput, type RequestEffect } from './request-effect';

/** The owner's new card PIN, hashed before the approval's lock; the PIN is written nowhere but the card. */
export const cardPinResetEffect: RequestEffect = {
  fulfil: async () => null, // applied when the owner submitted the PIN
  async prepareInput({ accounts }, ownerId, body) {
    const { pin } = parseSubmittedInput(SUBMIT_SCHEMAS.card_pin_reset, body);
    const pinHash = await accounts.hashPin(pin);
    return () => accounts.resetCardPin(ownerId, pinHash);
  },
};
