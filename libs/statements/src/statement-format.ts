import type { TransactionKind } from '@bank/contracts/ledger';

/** What a statement says about its month, read before its entries (exact bigints: sums may pass 2^53). */
export interface StatementSummary {
  holder: string;
  accountNumber: string;
  currency: string;
  /** `YYYY-MM`. */
  month: string;
  periodStart: Date;
  /** Exclusive: the next month's first moment. */
  periodEnd: Date;
  /** The current month: the statement runs to `generatedAt`. */
  toDate: boolean;
  generatedAt: Date;
  opening: bigint;
  closing: bigint;
  totalIn: bigint;
  /** The sum of the debits: negative or zero, so opening + totalIn + totalOut = closing. */
  totalOut: bigint;
  entryCount: number;
}

/** One entry as the repository reads it (bigints as strings). */
export interface StatementEntry {
  createdAt: Date;
  kind: TransactionKind;
  description: string | null;
  counterpartyNumber: string | null;
  counterpartyName: string | null;
  amount: string;
  balanceAfter: string;
}

/** One line of the statement's table, formatted once for the CSV and the PDF. */
export interface StatementLine {
  /** ISO 8601, UTC. */
  date: string;
  kind: TransactionKind;
  description: string;
  counterparty: string;
  amount: string;
  runningBalance: string;
}

/** Minor units as decimal major units with two digits (`-1250` → `-12.50`), exact for any size. */
export function formatMinorUnits(value: bigint | string): string {
  const minor = BigInt(value);
  const negative = minor < 0n;
  const magnitude = negative ? -minor : minor;
  const cents = (magnitude % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${(magnitude / 100n).toString()}.${cents}`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The period as a reader says it: first and last day (UTC), or up to the moment a current month's statement was made. */
export function statementPeriod(summary: StatementSummary): string {
  const lastDay = new Date(summary.periodEnd.getTime() - 1);
  return summary.toDate
    ? `${day(summary.periodStart)} to ${summary.generatedAt.toISOString()} (UTC, to date)`
    : `${day(summary.periodStart)} to ${day(lastDay)} (UTC)`;
}

/** The statement's figures as labelled values, in the order both formats show them. */
export function statementFigures(summary: StatementSummary): Array<[label: string, value: string]> {
  return [
    ['Account holder', summary.holder],
    ['Account number', summary.accountNumber],
    ['Currency', summary.currency],
    ['Period', statementPeriod(summary)],
    ['Opening balance', formatMinorUnits(summary.opening)],
    ['Closing balance', formatMinorUnits(summary.closing)],
    ['Total in', formatMinorUnits(summary.totalIn)],
    ['Total out', formatMinorUnits(summary.totalOut)],
    ['Entries', String(summary.entryCount)],
  ];
}

export const STATEMENT_COLUMNS = ['Date (UTC)', 'Kind', 'Description', 'Counterparty', 'Amount', 'Running balance'] as const;

export function statementLine(entry: StatementEntry): StatementLine {
  return {
    date: entry.createdAt.toISOString(),
    kind: entry.kind,
    description: entry.description ?? '',
    counterparty: entry.counterpartyNumber ? `${entry.counterpartyName ?? ''} (${entry.counterpartyNumber})`.trim() : '',
    amount: formatMinorUnits(entry.amount),
    runningBalance: formatMinorUnits(entry.balanceAfter),
  };
}

/** A line's cells in STATEMENT_COLUMNS order. */
export function statementCells(line: StatementLine): string[] {
  return [line.date, line.kind, line.description, line.counterparty, line.amount, line.runningBalance];
}
