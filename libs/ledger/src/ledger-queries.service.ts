import { Injectable } from '@nestjs/common';
import type { Page, PageQuery } from '@bank/contracts/pagination';
import type { EntryView, LedgerCheck, TransactionView } from '@bank/contracts/ledger';
import { AccountsService } from '@bank/accounts/accounts.service';
import { bigMinorUnits, minorUnits, minorUnitsTotal } from '@bank/db/minor-units';
import { UsersService } from '@bank/users/users.service';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { LedgerRepository, type TransactionRow } from './ledger.repository';

function transactionRowToView(row: TransactionRow): TransactionView {
  return {
    id: row.id,
    kind: row.kind,
    amount: minorUnits(row.amount),
    currency: row.currency.trim(),
    description: row.description,
    createdAt: new Date(row.created_at).toISOString(),
    reversesTransactionId: row.reverses_transaction_id,
    reversedByTransactionId: row.reversed_by_transaction_id,
  };
}

/** Statements, the admin's transaction list, the ledger check and counts: reads only. */
@Injectable()
export class LedgerQueriesService {
  constructor(
    private readonly ledger: LedgerRepository,
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
    const rows = await this.ledger.statementPage(accountId, below ?? Number.MAX_SAFE_INTEGER, page.limit + 1);
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
        reversesTransactionId: row.reverses_transaction_id,
        reversedByTransactionId: row.reversed_by_transaction_id,
      })),
      nextCursor: rows.length > page.limit ? encodeSeqCursor(minorUnits(shown[shown.length - 1].account_seq)) : null,
    };
  }

  async allTransactions(page: PageQuery): Promise<Page<TransactionView>> {
    const below = decodeSeqCursor(page.cursor);
    const rows = await this.ledger.transactionsPage(below ?? Number.MAX_SAFE_INTEGER, page.limit + 1);
    const shown = rows.slice(0, page.limit);
    return {
      items: shown.map(transactionRowToView),
      nextCursor: rows.length > page.limit ? encodeSeqCursor(minorUnits(shown[shown.length - 1].seq)) : null,
    };
  }

  /**
   * The invariants, recomputed from scratch: every customer account's stored balance equals the
   * sum of its entries and is not negative, every transaction's entries sum to zero, and all
   * balances (system ones derived from entries) sum to zero. Read from one repeatable-read snapshot.
   */
  async check(): Promise<LedgerCheck> {
    const snapshot = await this.ledger.snapshot();
    // Summed as bigints: the sum of all balances (and any one of them) may pass 2^53.
    let sumOfBalances = 0n;
    const mismatches: LedgerCheck['mismatches'] = [];
    const negativeBalances: LedgerCheck['negativeBalances'] = [];
    const heldMismatches: LedgerCheck['heldMismatches'] = [];
    for (const row of snapshot.accounts) {
      const stored = bigMinorUnits(row.balance);
      const entriesSum = bigMinorUnits(row.entries_sum);
      if (row.kind === 'system') {
        sumOfBalances += entriesSum;
        continue;
      }
      sumOfBalances += stored;
      if (stored !== entriesSum) mismatches.push({ accountId: row.id, number: row.number.trim(), storedBalance: minorUnitsTotal(stored), entriesSum: minorUnitsTotal(entriesSum) });
      if (stored < 0n) negativeBalances.push({ accountId: row.id, number: row.number.trim(), balance: minorUnitsTotal(stored) });
      const held = bigMinorUnits(row.held);
      const pendingHolds = bigMinorUnits(row.pending_holds);
      if (held !== pendingHolds) heldMismatches.push({ accountId: row.id, number: row.number.trim(), held: minorUnitsTotal(held), pendingHolds: minorUnitsTotal(pendingHolds) });
    }
    const unbalancedTransactions = snapshot.unbalancedTransactions.map((row) => ({ transactionId: row.id, entriesSum: minorUnitsTotal(row.entries_sum), entries: minorUnits(row.entries) }));
    return {
      balanced: sumOfBalances === 0n && mismatches.length === 0 && unbalancedTransactions.length === 0 && negativeBalances.length === 0 && heldMismatches.length === 0,
      accounts: snapshot.accounts.length,
      sumOfBalances: minorUnitsTotal(sumOfBalances),
      mismatches,
      unbalancedTransactions,
      negativeBalances,
      heldMismatches,
    };
  }

  async transactionsSince(since: Date): Promise<number> {
    return minorUnits(await this.ledger.countTransactionsSince(since));
  }
}
