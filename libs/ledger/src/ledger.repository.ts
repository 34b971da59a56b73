import { Injectable } from '@nestjs/common';
import { EntityManager, IsolationLevel } from '@mikro-orm/postgresql';
import type { TransactionKind } from '@bank/contracts/ledger';

/** One entry of an account's statement, with its transaction and the other side's account. Bigints as strings. */
export interface StatementEntryRow {
  id: string;
  transaction_id: string;
  kind: TransactionKind;
  amount: string;
  balance_after: string;
  account_seq: string;
  created_at: Date;
  description: string | null;
  counterparty_number: string | null;
  counterparty_owner_id: string | null;
  reverses_transaction_id: string | null;
  reversed_by_transaction_id: string | null;
}

export interface TransactionRow {
  id: string;
  seq: string;
  kind: TransactionKind;
  amount: string;
  currency: string;
  description: string | null;
  created_at: Date;
  reverses_transaction_id: string | null;
  reversed_by_transaction_id: string | null;
}

/** An account's stored balance next to the sum of its entries. */
export interface AccountBalanceRow {
  id: string;
  number: string;
  kind: 'customer' | 'system';
  balance: string;
  entries_sum: string;
  held: string;
  pending_holds: string;
}

/** A transaction whose entries do not sum to zero, or that has fewer than two. */
export interface UnbalancedTransactionRow {
  id: string;
  entries_sum: string;
  entries: string;
}

/** What the ledger check recomputes, read in one snapshot. */
export interface LedgerSnapshot {
  accounts: AccountBalanceRow[];
  unbalancedTransactions: UnbalancedTransactionRow[];
}

/** What a history search narrows the statement to (every one given must hold). */
export interface StatementFilter {
  /** Only entries with account_seq ≥ this (seqRange's low end). */
  seqFrom?: number;
  /** created_at within [createdFrom, createdBefore). */
  createdFrom?: Date;
  createdBefore?: Date;
  kind?: TransactionKind;
  /** Bounds of the entry's absolute amount, inclusive, minor units. */
  minAmount?: number;
  maxAmount?: number;
  /** A case-insensitive part of the description, or of the counterparty's holder's name: */
  text?: string;
  /** the counterparty accounts whose holder's name contains `text` (the caller matched them). */
  counterpartyIds?: readonly string[];
}

/** Wider than any posting transaction can last (statement_timeout is seconds): see seqRange. */
const SEQ_RANGE_SLACK = '1 hour';

/** `%`, `_` and the escape character itself match literally in ILIKE (its default escape is the backslash). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The conditions every branch of a statement page shares, on `e` (ledger_entries) and `t`
 * (ledger_transactions). Each kind is also written as what it implies about the entry itself
 * (a deposit's entry has no counterparty and a positive amount, …), and a reversal as the indexed
 * `reverses_transaction_id` its CHECK ties to that kind, so the planner may use those indexes.
 */
function statementConditions(accountId: string, belowSeq: number, filter: StatementFilter): { sql: string[]; params: unknown[] } {
  const sql = ['e.account_id = ?', 'e.account_seq < ?'];
  const params: unknown[] = [accountId, belowSeq];
  if (filter.seqFrom !== undefined) sql.push('e.account_seq >= ?') && params.push(filter.seqFrom);
  if (filter.createdFrom) sql.push('e.created_at >= ?') && params.push(filter.createdFrom);
  if (filter.createdBefore) sql.push('e.created_at < ?') && params.push(filter.createdBefore);
  if (filter.kind) {
    sql.push('t.kind = ?', KIND_ON_ENTRY[filter.kind]);
    params.push(filter.kind);
  }
  if (filter.minAmount !== undefined) sql.push('abs(e.amount) >= ?') && params.push(filter.minAmount);
  if (filter.maxAmount !== undefined) sql.push('abs(e.amount) <= ?') && params.push(filter.maxAmount);
  return { sql, params };
}

const KIND_ON_ENTRY: Record<TransactionKind, string> = {
  deposit: 'e.counterparty_account_id is null and e.amount > 0',
  withdrawal: 'e.counterparty_account_id is null and e.amount < 0',
  transfer: 'e.counterparty_account_id is not null',
  reversal: 'e.counterparty_account_id is not null and t.reverses_transaction_id is not null',
};

/** The ledger's reads: statements, the transaction list, the invariants' raw sums and counts. Writes are `money_execute`'s. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * An account's entries with `account_seq` below `belowSeq`, newest first, that match every filter
   * given (docs/architecture.md "History search"). Two steps in one statement: `matched` finds the
   * page's sequence numbers, reading only index-friendly columns, then the page's rows are fetched
   * with their transaction, counterparty and reversal. A text search is two branches, each planned
   * on its own so each can take its index: the description (trigram GIN on ledger_transactions) and
   * the counterparties whose holder's name matched (one keyset scan per counterparty); their union
   * is cut to the page.
   */
  statementPage(accountId: string, belowSeq: number, limit: number, filter: StatementFilter = {}): Promise<StatementEntryRow[]> {
    const base = statementConditions(accountId, belowSeq, filter);
    const keyset = (extra: string, extraParams: unknown[]) => ({
      sql: `select e.account_seq from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
            where ${[...base.sql, extra].filter(Boolean).join(' and ')} order by e.account_seq desc limit ?`,
      params: [...base.params, ...extraParams, limit],
    });
    let matched: { sql: string; params: unknown[] };
    if (filter.text === undefined) {
      matched = keyset('', []);
    } else {
      const byDescription = keyset('t.description ilike ?', [`%${escapeLike(filter.text)}%`]);
      const byCounterparty = keyset('e.counterparty_account_id = cp.id', []);
      matched = {
        sql: `select account_seq from (
                (${byDescription.sql})
                union
                (select m.account_seq from unnest(?::uuid[]) as cp (id) cross join lateral (${byCounterparty.sql}) m)
              ) as found order by account_seq desc limit ?`,
        params: [...byDescription.params, `{${(filter.counterpartyIds ?? []).join(',')}}`, ...byCounterparty.params, limit],
      };
    }
    return this.em.execute<StatementEntryRow[]>(
      `with matched as (${matched.sql})
       select e.id, e.transaction_id, t.kind, e.amount, e.balance_after, e.account_seq, e.created_at, t.description,
              c.number as counterparty_number, c.owner_id as counterparty_owner_id,
              t.reverses_transaction_id, r.id as reversed_by_transaction_id
       from matched m
       join ledger_entries e on e.account_id = ? and e.account_seq = m.account_seq
       join ledger_transactions t on t.id = e.transaction_id
       left join accounts c on c.id = e.counterparty_account_id
       left join ledger_transactions r on r.reverses_transaction_id = t.id
       order by e.account_seq desc`,
      [...matched.params, accountId],
    );
  }

  /**
   * The `account_seq` range [low, high) that holds every entry of a customer account created in
   * [from, before): both ends found by binary search (ledger_first_seq_at), then widened by
   * SEQ_RANGE_SLACK. created_at is the posting transaction's start, account_seq is taken later in it
   * under the account's row lock, so two postings racing for the lock may number in the other order
   * than their times — by at most how long a posting lasts (bounded by statement_timeout), far less
   * than the slack. The caller still filters on created_at exactly.
   */
  async seqRange(accountId: string, from: Date | undefined, before: Date | undefined): Promise<{ low: number | null; high: number | null }> {
    const [row] = await this.em.execute<Array<{ low: string | null; high: string | null }>>(
      `select case when ?::timestamptz is null then null else ledger_first_seq_at(?, ?::timestamptz - ?::interval) end as low,
              case when ?::timestamptz is null then null else ledger_first_seq_at(?, ?::timestamptz + ?::interval) end as high`,
      [from ?? null, accountId, from ?? null, SEQ_RANGE_SLACK, before ?? null, accountId, before ?? null, SEQ_RANGE_SLACK],
    );
    return { low: row.low === null ? null : Number(row.low), high: row.high === null ? null : Number(row.high) };
  }

  /**
   * The distinct customer accounts an account has exchanged money with, and their owners: a skip
   * scan of ledger_entries_counterparty_seq_idx, one index descent per counterparty.
   */
  counterparties(accountId: string): Promise<Array<{ account_id: string; owner_id: string | null }>> {
    return this.em.execute(
      `with recursive found (id) as (
         (select counterparty_account_id from ledger_entries
          where account_id = ? and counterparty_account_id is not null order by counterparty_account_id limit 1)
         union all
         select (select e.counterparty_account_id from ledger_entries e
                 where e.account_id = ? and e.counterparty_account_id > found.id order by e.counterparty_account_id limit 1)
         from found where found.id is not null
       )
       select a.id as account_id, a.owner_id from found join accounts a on a.id = found.id`,
      [accountId, accountId],
    );
  }

  /** Every transaction with `seq` below `belowSeq`, newest first. */
  transactionsPage(belowSeq: number, limit: number): Promise<TransactionRow[]> {
    return this.em.execute<TransactionRow[]>(
      `select t.id, t.seq, t.kind, t.amount, t.currency, t.description, t.created_at, t.reverses_transaction_id, r.id as reversed_by_transaction_id
       from ledger_transactions t left join ledger_transactions r on r.reverses_transaction_id = t.id
       where t.seq < ? order by t.seq desc limit ?`,
      [belowSeq, limit],
    );
  }

  /** Every account's balance and entries sum, and every unbalanced transaction, from one repeatable-read snapshot. */
  snapshot(): Promise<LedgerSnapshot> {
    return this.em.transactional(
      async (em) => {
        const accounts = await em.execute<AccountBalanceRow[]>(
          `select a.id, a.number, a.kind, a.balance, coalesce(s.total, 0) as entries_sum, a.held, coalesce(h.total, 0) as pending_holds
           from accounts a
           left join (select account_id, sum(amount) as total from ledger_entries group by account_id) s on s.account_id = a.id
           left join (select account_id, sum(amount) as total from holds where status = 'pending' group by account_id) h on h.account_id = a.id`,
        );
        const unbalancedTransactions = await em.execute<UnbalancedTransactionRow[]>(
          `select t.id, coalesce(sum(e.amount), 0) as entries_sum, count(e.id) as entries
           from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
           group by t.id having coalesce(sum(e.amount), 0) <> 0 or count(e.id) < 2`,
        );
        return { accounts, unbalancedTransactions };
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
  }

  async countTransactionsSince(since: Date): Promise<string> {
    const [row] = await this.em.execute<Array<{ n: string }>>('select count(*) as n from ledger_transactions where created_at >= ?', [since]);
    return row.n;
  }
}
