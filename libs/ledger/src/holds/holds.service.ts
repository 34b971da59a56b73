import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { HoldListQuery, HoldView, ReviewedHoldView } from '@bank/contracts/holds';
import type { Page } from '@bank/contracts/pagination';
import type { MinorUnitsTotal } from '@bank/contracts/money';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { NotFound } from '@bank/problems/domain-error';
import { HoldsRepository } from './holds.repository';

/**
 * Holds (API.md "Holds"): created by the money path when a review rule matches a transfer, decided
 * by their `transfer_review` request (the requests library). Here: posting an approved one, and reads.
 */
@Injectable()
export class HoldsService {
  constructor(private readonly holds: HoldsRepository) {}

  /**
   * Posts an approved hold, once: null when it is posted (now or by an earlier run of the same job),
   * else why it cannot be (`ACCOUNT_FROZEN`: the hold is voided; `HOLD_NOT_PENDING`: decided otherwise).
   */
  async post(holdId: string): Promise<'ACCOUNT_FROZEN' | 'HOLD_NOT_PENDING' | null> {
    const outcome = await this.holds.post(holdId);
    if ('posted' in outcome) return null;
    if ('refused' in outcome) return outcome.refused;
    return outcome.decided === 'posted' ? null : 'HOLD_NOT_PENDING';
  }

  /** A hold as its owner sees it, or — for staff — with the facts to review it; anyone else gets 404 (ids are not probed). */
  async get(caller: AuthenticatedUser, holdId: string): Promise<HoldView | ReviewedHoldView> {
    const row = await this.holds.find(holdId);
    if (!row || (caller.role === 'customer' && row.owner_id !== caller.id)) throw new NotFound('The hold');
    if (caller.role === 'customer') return row.hold;
    const review = await this.holds.review(holdId);
    if (!review) throw new NotFound('The hold');
    return { ...row.hold, review };
  }

  /** Undecided holds: how many, and the amount they reserve (the admin dashboard). */
  pendingTotals(): Promise<{ count: number; amount: MinorUnitsTotal }> {
    return this.holds.pendingTotals();
  }

  async list(ownerId: string, query: HoldListQuery): Promise<Page<HoldView>> {
    const rows = await this.holds.page(ownerId, query.status, decodeSeqCursor(query.cursor), query.limit + 1);
    const items = rows.slice(0, query.limit);
    return { items: items.map((row) => row.hold), nextCursor: rows.length > query.limit ? encodeSeqCursor(Number(items[items.length - 1].seq)) : null };
  }
}
