import type { HoldView } from '@bank/contracts/holds';
import type { LiveConnection } from './live-connection';

export interface HoldHandlers {
  /** Every `hold.updated`: a transfer held, then posted, voided, cancelled or expired. */
  hold(hold: HoldView): void;
  /** Why a hold's review ended (a rejection's reason), by the review request's id. */
  resolution?(requestId: string, resolution: string): void;
}

/**
 * A customer's held transfers as they change; returns the unsubscribe. The reviewer's reason for
 * a rejection travels on the hold's `transfer_review` request, not on the hold, so both streams
 * are followed here and the view joins them by `hold.requestId`.
 */
export function subscribeHolds(live: LiveConnection, handlers: HoldHandlers): () => void {
  const off = [
    live.on('hold.updated', ({ data }) => handlers.hold(data)),
    live.on('request.updated', ({ data }) => {
      if (data.type === 'transfer_review' && data.resolution) handlers.resolution?.(data.id, data.resolution);
    }),
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}
