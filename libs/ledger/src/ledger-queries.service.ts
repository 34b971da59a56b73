import { Injectable } from '@nestjs/common';
import { EntityManager, IsolationLevel } from '@mikro-orm/postgresql';
import type { Page, PageQuery } from '@bank/contracts/pagination';
import type { EntryView, LedgerCheck, TransactionKind, TransactionView } from '@bank/contracts/ledger';
import { AccountsService } from '@bank/accounts/accounts.service';
import { minorUnits } from '@bank/accounts/account-row';
import { UsersService } from '@bank/users/users.service';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';

interface EntryRow {
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
}

interface TransactionRow {
  id: string;
  seq: string;
  kind: TransactionKind;
  amount: string;
  currency: string;
  description: string | null;
  created_at: Date;
}

export function transactionRowToView(row: TransactionRow): TransactionView {
  return {
    id: row.id,
    kind: row.kind,
    amount: minorUnits(row.amount),
    currency: row.currency.trim(),
    description: row.description,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Statements, the admin's transaction list, the ledger check and counts: reads only. */
@Injectable()
export class LedgerQueriesService {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
  ) {}

  /**
   * An account's entries, newest first, paged by the per-account sequence number that postings
   * assign under the account's row lock: commit order, so concurrent postings never shift a page.
   */
  async history(ownerId: string, accountId: string, page: PageQuery): Promise<Page<EntryView>> {
    await this.accounts.getOwned(accountId, ownerId);
    const below = decodeSeqCursor(page.cursor);
    const rows = await this.em.execute<EntryRow[]>(
      `select e.id, e.transaction_id, t.kind, e.amount, e.balance_after, e.account_seq, e.created_at, t.description,
              c.number as counterparty_number, c.owner_id as counterparty_owner_id
       from ledger_entries e
       join ledger_transactions t on t.id = e.transaction_id
       left join accounts c on c.id = e.counterparty_account_id
       where e.account_id = ? and e.account_seq < ?
       order by e.account_seq desc
       limit ?`,
      [accountId, below ?? Number.MAX_SAFE_INTEGER, page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    const names = await this.users.fullNames(shown.flatMap((row) => (row.counterparty_owner_id ? [row.counterparty_owner_id] : [])));
    return {
      items: shown.map((row) => ({
        id: row.id,
        transactionId: row.transaction_id,
        kind: row.kind,
        amount: minorUnits(row.amount),
        balanceAfter: minorUnits(row.balance_after),
        counterparty:
          row.counterparty_number && row.counterparty_owner_id
            ? { accountNumber: row.counterparty_number.trim(), name: names.get(row.counterparty_owner_id) ?? '' }
            : null,
        description: row.description,
        createdAt: new Date(row.created_at).toISOString(),
      })),
      nextCursor: rows.length > page.limit ? encodeSeqCursor(minorUnits(shown[shown.length - 1].account_seq)) : null,
    };
  }

  async allTransactions(page: PageQuery): Promise<Page<TransactionView>> {
    const below = decodeSeqCursor(page.cursor);
    const rows = await this.em.execute<TransactionRow[]>(
      'select id, seq, kind, amount, currency, description, created_at from ledger_transactions where seq < ? order by seq desc limit ?',
      [below ?? Number.MAX_SAFE_INTEGER, page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    return {
      items: shown.map(transactionRowToView),
      nextCursor: rows.length > page.limit ? encodeSeqCursor(minorUnits(shown[shown.length - 1].seq)) : null,
    };
  }

  /**
   * The invariants, recomputed from scratch: every customer account's stored balance equals the
   * sum of its entries and is not negative, every transaction's entries sum to zero, and all
   * balances (system ones derived from entries) sum to zero. Runs in one repeatable-read snapshot.
   */
  async check(): Promise<LedgerCheck> {
    return this.em.transactional(
      async (em) => {
        const accounts = await em.execute<Array<{ id: string; number: string; kind: string; balance: string; entries_sum: string }>>(
          `select a.id, a.number, a.kind, a.balance, coalesce(s.total, 0) as entries_sum
           from accounts a left join (select account_id, sum(amount) as total from ledger_entries group by account_id) s on s.account_id = a.id`,
        );
        const unbalanced = await em.execute<Array<{ id: string; entries_sum: string; entries: string }>>(
          `select t.id, coalesce(sum(e.amount), 0) as entries_sum, count(e.id) as entries
           from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
           group by t.id having coalesce(sum(e.amount), 0) <> 0 or count(e.id) < 2`,
        );
        let sumOfBalances = 0;
        const mismatches: LedgerCheck['mismatches'] = [];
        const negativeBalances: LedgerCheck['negativeBalances'] = [];
        for (const row of accounts) {
          const stored = minorUnits(row.balance);
          const entriesSum = minorUnits(row.entries_sum);
          if (row.kind === 'system') {
            sumOfBalances += entriesSum;
            continue;
          }
          sumOfBalances += stored;
          if (stored !== entriesSum) mismatches.push({ accountId: row.id, number: row.number.trim(), storedBalance: stored, entriesSum });
          if (stored < 0) negativeBalances.push({ accountId: row.id, number: row.number.trim(), balance: stored });
        }
        const unbalancedTransactions = unbalanced.map((row) => ({ transactionId: row.id, entriesSum: minorUnits(row.entries_sum), entries: minorUnits(row.entries) }));
        return {
          balanced: sumOfBalances === 0 && mismatches.length === 0 && unbalancedTransactions.length === 0 && negativeBalances.length === 0,
          accounts: accounts.length,
          sumOfBalances,
          mismatches,
          unbalancedTransactions,
          negativeBalances,
        };
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
  }

  async transactionsSince(since: Date): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>('select count(*) as n from ledger_transactions where created_at >= ?', [since]);
    return minorUnits(row.n);
  }
}
