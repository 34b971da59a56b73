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

/** The ledger's reads: statements, the transaction list, the invariants' raw sums and counts. Writes are `money_execute`'s. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly em: EntityManager) {}

  /** An account's entries with `account_seq` below `belowSeq`, newest first. */
  statementPage(accountId: string, belowSeq: number, limit: number): Promise<StatementEntryRow[]> {
    return this.em.execute<StatementEntryRow[]>(
      `select e.id, e.transaction_id, t.kind, e.amount, e.balance_after, e.account_seq, e.created_at, t.description,
              c.number as counterparty_number, c.owner_id as counterparty_owner_id,
              t.reverses_transaction_id, r.id as reversed_by_transaction_id
       from ledger_entries e
       join ledger_transactions t on t.id = e.transaction_id
       left join accounts c on c.id = e.counterparty_account_id
       left join ledger_transactions r on r.reverses_transaction_id = t.id
       where e.account_id = ? and e.account_seq < ?
       order by e.account_seq desc
       limit ?`,
      [accountId, belowSeq, limit],
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
