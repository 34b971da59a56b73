import type { RequestType } from '@bank/contracts/requests';
import type { RequestEffect } from './request-effect';
import { accountClosureEffect } from './account-closure.effect';
import { accountFreezeEffect } from './account-freeze.effect';
import { accountUnfreezeEffect } from './account-unfreeze.effect';
import { cardPinResetEffect } from './card-pin-reset.effect';
import { kycUpdateEffect } from './kyc-update.effect';
import { limitIncreaseEffect } from './limit-increase.effect';
import { nameChangeEffect } from './name-change.effect';
import { transferReviewEffect } from './transfer-review.effect';
import { transactionDisputeEffect } from './transaction-dispute.effect';

/** Every request type's effect; a type missing here does not compile. */
export const REQUEST_EFFECTS: Readonly<Record<RequestType, RequestEffect>> = {
  card_pin_reset: cardPinResetEffect,
  name_change: nameChangeEffect,
  kyc_update: kycUpdateEffect,
  limit_increase: limitIncreaseEffect,
  account_freeze: accountFreezeEffect,
  account_unfreeze: accountUnfreezeEffect,
  account_closure: accountClosureEffect,
  transfer_review: transferReviewEffect,
  transaction_dispute: transactionDisputeEffect,
};
