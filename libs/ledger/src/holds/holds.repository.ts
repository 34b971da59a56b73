import { Injectable } from '@nestjs/common';
import type { HoldReview, HoldStatus, HoldView } from '@bank/contracts/holds';
import { SqlPool } from '@bank/db/sql-pool';
import { minorUnitsTotal } from '@bank/db/minor-units';
import type { MinorUnitsTotal } from '@bank/contracts/money';

/** What `hold_post` answers: posted now, refused (the hold then voided), or found decided already (null: no such hold). */
export type HoldPostOutcome = { posted: HoldView } | { refused: 'ACCOUNT_FROZEN' } | { decided: HoldStatus | null };

export interface HoldRow {
  hold: HoldView;
  owner_id: string;
  seq: string;
}

const POST = { name: 'hold-post', text: 'select hold_post($1) as outcome' };
const FIND = { name: 'hold-find', text: 'select hold_view(h) as hold, h.owner_id, h.seq from holds h where h.id = $1' };
const REVIEW = {
  name: 'hold-review',
  text: `select json_build_object(
            'sender', json_build_object('name', u.full_name, 'accountNumber', a.number::text, 'accountOpenedAt', iso_utc(a.created_at)),
            'recentTransfers', coalesce((
              select json_agg(json_build_object('amount', -e.amount, 'createdAt', iso_utc(e.created_at),
                       'counterparty', json_build_object('accountNumber', ca.number::text, 'name', cu.full_name)) order by e.account_seq desc)
                from (select * from ledger_entries e
                       where e.account_id = a.id and e.amount < 0 and e.counterparty_account_id is not null
                         and exists (select 1 from ledger_transactions t where t.id = e.transaction_id and t.kind = 'transfer')
                       order by e.account_seq desc limit 10) e
                join accounts ca on ca.id = e.counterparty_account_id
                join users cu on cu.id = ca.owner_id), '[]'::json)) as review
          from holds h join accounts a on a.id = h.account_id join users u on u.id = a.owner_id
          where h.id = $1`,
};
const PENDING = { name: 'hold-pending', text: `select count(*)::int as count, coalesce(sum(amount), 0)::text as amount from holds where status = 'pending'` };
const PAGE = {
  name: 'hold-page',
  text: `select hold_view(h) as hold, h.owner_id, h.seq from holds h
          where h.owner_id = $1 and ($2::text is null or h.status = $2) and ($3::bigint is null or h.seq < $3)
          order by h.seq desc limit $4`,
};

/**
 * The holds' SQL. Holds are written only by the money path's functions (money_hold, hold_post,
 * hold_release — migration Holds); here they are posted and read. Through SqlPool, so a posting
 * joins the fulfilment's transaction.
 */
@Injectable()
export class HoldsRepository {
  constructor(private readonly sql: SqlPool) {}

  async post(holdId: string): Promise<HoldPostOutcome> {
    const [{ outcome }] = await this.sql.query<{ outcome: HoldPostOutcome }>(POST, [holdId]);
    return outcome;
  }

  async review(holdId: string): Promise<HoldReview | null> {
    const [row] = await this.sql.query<{ review: HoldReview }>(REVIEW, [holdId]);
    return row?.review ?? null;
  }

  async pendingTotals(): Promise<{ count: number; amount: MinorUnitsTotal }> {
    const [row] = await this.sql.query<{ count: number; amount: string }>(PENDING, []);
    return { count: row.count, amount: minorUnitsTotal(row.amount) };
  }

  async find(holdId: string): Promise<HoldRow | null> {
    const [row] = await this.sql.query<HoldRow>(FIND, [holdId]);
    return row ?? null;
  }

  /** An owner's holds, newest first, below `beforeSeq`. */
  page(ownerId: string, status: HoldStatus | undefined, beforeSeq: number | null, limit: number): Promise<HoldRow[]> {
    return this.sql.query<HoldRow>(PAGE, [ownerId, status ?? null, beforeSeq, limit]);
  }
}
