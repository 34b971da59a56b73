import { Injectable } from '@nestjs/common';
import { SqlPool } from '@bank/db/sql-pool';
import type { TransactionKind } from '@bank/contracts/ledger';

/**
 * A month of one account as a range of its `account_seq` (commit order under the account's row
 * lock), with the figures of that range. Bigints as strings.
 */
export interface StatementRangeRow {
  /** The first seq of the month. */
  first_seq: string;
  /** The first seq after the month (exclusive end). */
  end_seq: string;
  opening: string;
  closing: string;
  total_in: string;
  total_out: string;
  entries: string;
}

export interface StatementEntryRow {
  account_seq: string;
  created_at: Date;
  kind: TransactionKind;
  description: string | null;
  amount: string;
  balance_after: string;
  counterparty_number: string | null;
  counterparty_owner_id: string | null;
}

/**
 * The first seq of the entries made from `${param}` on: one past the last entry made before it.
 * Exact, and cheap whatever the account's size: every entry from ledger_first_seq_at(T + 1 hour)
 * on (binary search through the (account_id, account_seq) key, migration HistorySearch) was made
 * at or after T, since postings number out of time order by at most how long one lasts; so the
 * backward walk for "the last before T" starts there and covers about an hour of entries. No
 * index of its own: every index on ledger_entries costs every posting.
 */
const SEQ_FROM = (param: string) =>
  `coalesce((select account_seq from ledger_entries
             where account_id = $1 and account_seq < ledger_first_seq_at($1, ${param}::timestamptz + interval '1 hour') and created_at < ${param}
             order by account_seq desc limit 1), 0) + 1`;

const RANGE = {
  name: 'statements-range',
  text: `
  with bounds as (select ${SEQ_FROM('$2')} as first_seq, ${SEQ_FROM('$3')} as end_seq),
  month as (
    select coalesce(sum(e.amount) filter (where e.amount > 0), 0) as total_in,
           coalesce(sum(e.amount) filter (where e.amount < 0), 0) as total_out,
           count(*) as entries
    from bounds b join ledger_entries e on e.account_id = $1 and e.account_seq >= b.first_seq and e.account_seq < b.end_seq
  )
  select b.first_seq, b.end_seq,
         coalesce((select balance_after from ledger_entries where account_id = $1 and account_seq = b.first_seq - 1), 0) as opening,
         coalesce((select balance_after from ledger_entries where account_id = $1 and account_seq = b.end_seq - 1), 0) as closing,
         m.total_in, m.total_out, m.entries
  from bounds b, month m`,
};

const PAGE = {
  name: 'statements-page',
  text: `
  select e.account_seq, e.created_at, t.kind, t.description, e.amount, e.balance_after,
         c.number as counterparty_number, c.owner_id as counterparty_owner_id
  from ledger_entries e
  join ledger_transactions t on t.id = e.transaction_id
  left join accounts c on c.id = e.counterparty_account_id
  where e.account_id = $1 and e.account_seq >= $2 and e.account_seq < $3
  order by e.account_seq
  limit $4`,
};

const FIRST_ENTRY_AT = { name: 'statements-first-entry-at', text: 'select created_at from ledger_entries where account_id = $1 and account_seq = 1' };

/** Statements' reads of the ledger: a month's seq range and figures, then its entries in pages. Read only. */
@Injectable()
export class StatementsRepository {
  // The pool, not a request's EntityManager: a statement's pages are read after its handler has returned.
  constructor(private readonly sql: SqlPool) {}

  async range(accountId: string, start: Date, end: Date): Promise<StatementRangeRow> {
    const [row] = await this.sql.query<StatementRangeRow>(RANGE, [accountId, start, end]);
    return row;
  }

  /** Entries with fromSeq ≤ account_seq < endSeq, oldest first, at most `limit`. */
  page(accountId: string, fromSeq: bigint, endSeq: bigint, limit: number): Promise<StatementEntryRow[]> {
    return this.sql.query<StatementEntryRow>(PAGE, [accountId, fromSeq.toString(), endSeq.toString(), limit]);
  }

  async firstEntryAt(accountId: string): Promise<Date | null> {
    const [row] = await this.sql.query<{ created_at: Date }>(FIRST_ENTRY_AT, [accountId]);
    return row ? new Date(row.created_at) : null;
  }
}
