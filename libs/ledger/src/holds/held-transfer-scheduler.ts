import type { HoldView } from '@bank/contracts/holds';

/**
 * Told of each transfer newly held for review, after it committed, so that the hold expires on
 * time (the worker's sweep is the backstop). A port: the request pipeline (libs/requests) provides
 * it; the ledger does not import the pipeline.
 */
export abstract class HeldTransferScheduler {
  abstract scheduleExpiry(hold: HoldView): Promise<void>;
}
