import { Injectable } from '@nestjs/common';
import type { Page, PageQuery } from '@bank/contracts/pagination';
import type { HistoryQuery } from '@bank/contracts/history';
import type { EntryView, LedgerCheck, TransactionView } from '@bank/contracts/ledger';
import { AccountsService } from '@bank/accounts/accounts.service';
import { bigMinorUnits, minorUnits, minorUnitsTotal } from '@bank/db/minor-units';
import { UsersService } from '@bank/users/users.service';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { LedgerRepository, type TransactionRow } from './ledger.repository';
import type { StatementFilter } from './statement-query';

const DAY_MS = 86_400_000;
/** How many of the newest entries a filtered page walks first, and how far a second walk may go (see matchingSeqs). */
const SCAN_BUDGET = 500;
const WALK_MAX = 8_000;

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
   * The search filters narrow that same list, so a cursor continues a filtered list as well.
   */
  async history(ownerId: string, accountId: string, query: HistoryQuery): Promise<Page<EntryView>> {
    await this.accounts.getOwned(accountId, ownerId);
    const below = decodeSeqCursor(query.cursor) ?? Number.MAX_SAFE_INTEGER;
    const filter = await this.statementFilter(accountId, query);
    const rows = filter === null ? [] : await this.ledger.statementRows(accountId, await this.matchingSeqs(accountId, Math.min(below, filter.seqBelow), query.limit + 1, filter));
    const shown = rows.slice(0, query.limit);
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
      nextCursor: rows.length > query.limit ? encodeSeqCursor(minorUnits(shown[shown.length - 1].account_seq)) : null,
    };
  }

  /**
   * The seqs of the next `limit` matches below `belowSeq`. Unfiltered, the keyset walk. Filtered,
   * first a walk of the newest SCAN_BUDGET entries below the cursor, filtered (bounded work: dense
   * matches are found there). If that did not fill the page but found some, their density says how
   * far a second walk must go for the rest: it goes there (twice that, at most WALK_MAX entries).
   * Whatever is still missing comes from below the walks by the plan PostgreSQL picks — an index of
   * the filter, which is sparse there (docs/architecture.md "History search").
   */
  private async matchingSeqs(accountId: string, belowSeq: number, limit: number, filter: StatementFilter): Promise<number[]> {
    const unfiltered = filter.createdFrom === undefined && filter.createdBefore === undefined && filter.kind === undefined && filter.minAmount === undefined && filter.maxAmount === undefined && filter.text === undefined;
    if (unfiltered) return (await this.ledger.statementMatches(accountId, belowSeq, limit, filter)).seqs;
    const seqs: number[] = [];
    let below = belowSeq;
    let budget = SCAN_BUDGET;
    for (let walk = 0; walk < 2 && budget <= WALK_MAX; walk++) {
      const walked = await this.ledger.statementMatches(accountId, below, limit - seqs.length, filter, budget);
      seqs.push(...walked.seqs);
      if (seqs.length >= limit || walked.scanned === null || walked.scanned < budget || walked.floor === null) return seqs;
      below = walked.floor;
      if (walked.seqs.length === 0) break;
      budget = Math.ceil((2 * (limit - seqs.length) * walked.scanned) / walked.seqs.length);
    }
    const older = await this.ledger.statementMatches(accountId, below, limit - seqs.length, filter);
    return [...seqs, ...older.seqs];
  }

  /**
   * The query's filters as the repository takes them: UTC days as a created_at range and, through
   * binary search, an account_seq range; the text also as the counterparties whose holder's name
   * contains it (the names are users', so UsersService reads them). Null when a date range holds no entry.
   */
  private async statementFilter(accountId: string, query: HistoryQuery): Promise<(StatementFilter & { seqBelow: number }) | null> {
    const createdFrom = query.from ? new Date(`${query.from}T00:00:00.000Z`) : undefined;
    const createdBefore = query.to ? new Date(Date.parse(`${query.to}T00:00:00.000Z`) + DAY_MS) : undefined;
    const range = createdFrom || createdBefore ? await this.ledger.seqRange(accountId, createdFrom, createdBefore) : { low: null, high: null };
    if (range.low !== null && range.high !== null && range.low >= range.high) return null;
    let counterpartyIds: string[] | undefined;
    if (query.q !== undefined) {
      const counterparties = await this.ledger.counterparties(accountId);
      const names = await this.users.fullNames(counterparties.flatMap((row) => (row.owner_id ? [row.owner_id] : [])));
      const text = query.q.toLocaleLowerCase();
      counterpartyIds = counterparties.filter((row) => row.owner_id && names.get(row.owner_id)?.toLocaleLowerCase().includes(text)).map((row) => row.account_id);
    }
    return {
      seqFrom: range.low ?? undefined,
      seqBelow: range.high ?? Number.MAX_SAFE_INTEGER,
      createdFrom,
      createdBefore,
      kind: query.kind,
      minAmount: query.minAmount,
      maxAmount: query.maxAmount,
      text: query.q,
      counterpartyIds,
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
