import { Injectable } from '@nestjs/common';
import { EntityManager, IsolationLevel } from '@mikro-orm/postgresql';
import type { TransactionKind } from '@bank/contracts/ledger';
import { statementMatchesQuery, statementRowsQuery, type StatementFilter } from './statement-query';

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

/** What statementMatches found: the matches' seqs, newest first; with a scan budget, how many entries it walked and the lowest seq walked. */
export interface StatementMatches {
  seqs: number[];
  scanned: number | null;
  floor: number | null;
}

/** Wider than any posting transaction can last (statement_timeout is seconds): see seqRange. */
const SEQ_RANGE_SLACK = '1 hour';

/** The ledger's reads: statements, the transaction list, the invariants' raw sums and counts. Writes are `money_execute`'s. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * An account's entries with `account_seq` below `belowSeq`, newest first, that match every filter
   * given; with `scanBudget`, only among that many newest entries below it (statementMatchesQuery).
   */
  async statementMatches(accountId: string, belowSeq: number, limit: number, filter: StatementFilter, scanBudget?: number): Promise<StatementMatches> {
    const query = statementMatchesQuery(accountId, belowSeq, limit, filter, scanBudget);
    const rows = await this.em.execute<Array<{ account_seq: string | null; scanned?: string; floor?: string | null }>>(query.sql, query.params);
    return {
      seqs: rows.flatMap((row) => (row.account_seq === null ? [] : [Number(row.account_seq)])),
      scanned: rows[0]?.scanned === undefined ? null : Number(rows[0].scanned),
      floor: rows[0]?.floor === undefined || rows[0].floor === null ? null : Number(rows[0].floor),
    };
  }

  /** The entries at these sequence numbers of an account, newest first. */
  statementRows(accountId: string, seqs: readonly number[]): Promise<StatementEntryRow[]> {
    if (seqs.length === 0) return Promise.resolve([]);
    const query = statementRowsQuery(accountId, seqs);
    return this.em.execute<StatementEntryRow[]>(query.sql, query.params);
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
