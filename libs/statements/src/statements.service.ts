import { Injectable } from '@nestjs/common';
import type { StatementPeriods } from '@bank/contracts/statements';
import { AccountsService } from '@bank/accounts/accounts.service';
import { UsersService } from '@bank/users/users.service';
import { StatementsRepository, type StatementEntryRow } from './statements.repository';
import { parseStatementMonth, utcMonthOf } from './statement-month';
import type { StatementEntry, StatementSummary } from './statement-format';

/** Entries read per round trip while a statement streams: bounds memory whatever the month holds. */
const STATEMENT_PAGE_SIZE = 500;

/** A statement ready to stream: its figures, and its entries in pages, oldest first, read as they are consumed. */
export interface OpenedStatement {
  summary: StatementSummary;
  pages: AsyncIterable<StatementEntry[]>;
}

/**
 * Monthly statements of a customer's own account (UTC months). A month is a contiguous range of
 * the account's `account_seq` — from the first entry made in it to the first made in the next —
 * so opening + entries = closing holds exactly and each month opens where the last one closed,
 * even when two concurrent postings' times and commit order disagree at midnight.
 */
@Injectable()
export class StatementsService {
  constructor(
    private readonly statements: StatementsRepository,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
  ) {}

  async periods(ownerId: string, accountId: string): Promise<StatementPeriods> {
    const account = await this.accounts.getOwned(accountId, ownerId);
    const firstEntryAt = await this.statements.firstEntryAt(accountId);
    const openedAt = firstEntryAt && firstEntryAt < account.createdAt ? firstEntryAt : account.createdAt;
    return { firstMonth: utcMonthOf(openedAt), currentMonth: utcMonthOf(new Date()) };
  }

  /** Checks the owner and the month, reads the figures; the entries are read when `pages` is iterated. */
  async open(ownerId: string, accountId: string, month: string): Promise<OpenedStatement> {
    const account = await this.accounts.getOwned(accountId, ownerId);
    const generatedAt = new Date();
    const period = parseStatementMonth(month, generatedAt);
    const range = await this.statements.range(accountId, period.start, period.end);
    const holder = (await this.users.fullNames([ownerId])).get(ownerId) ?? '';
    const summary: StatementSummary = {
      holder,
      accountNumber: account.number.trim(),
      currency: account.currency.trim(),
      month: period.month,
      periodStart: period.start,
      periodEnd: period.end,
      toDate: period.toDate,
      generatedAt,
      opening: BigInt(range.opening),
      closing: BigInt(range.closing),
      totalIn: BigInt(range.total_in),
      totalOut: BigInt(range.total_out),
      entryCount: Number(range.entries),
    };
    return { summary, pages: this.entries(accountId, BigInt(range.first_seq), BigInt(range.end_seq)) };
  }

  private async *entries(accountId: string, firstSeq: bigint, endSeq: bigint): AsyncGenerator<StatementEntry[]> {
    for (let fromSeq = firstSeq; fromSeq < endSeq; ) {
      const rows = await this.statements.page(accountId, fromSeq, endSeq, STATEMENT_PAGE_SIZE);
      if (rows.length === 0) return;
      yield await this.withNames(rows);
      fromSeq = BigInt(rows[rows.length - 1].account_seq) + 1n;
    }
  }

  private async withNames(rows: readonly StatementEntryRow[]): Promise<StatementEntry[]> {
    const names = await this.users.fullNames(rows.flatMap((row) => (row.counterparty_owner_id ? [row.counterparty_owner_id] : [])));
    return rows.map((row) => ({
      createdAt: new Date(row.created_at),
      kind: row.kind,
      description: row.description,
      counterpartyNumber: row.counterparty_number?.trim() ?? null,
      counterpartyName: row.counterparty_owner_id ? (names.get(row.counterparty_owner_id) ?? null) : null,
      amount: row.amount,
      balanceAfter: row.balance_after,
    }));
  }
}
