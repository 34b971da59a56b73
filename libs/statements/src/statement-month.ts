import { STATEMENT_MONTH_PATTERN } from '@bank/contracts/statements';
import { ValidationFailed } from '@bank/problems/domain-error';

/** A UTC calendar month: `start` inclusive, `end` exclusive. */
export interface StatementMonth {
  /** `YYYY-MM`. */
  month: string;
  start: Date;
  end: Date;
  /** The month is the current one: its statement runs to the moment it is made. */
  toDate: boolean;
}

/** The UTC month a moment falls in, as `YYYY-MM`. */
export function utcMonthOf(date: Date): string {
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `YYYY-MM` → its UTC bounds; a malformed or future month is 400 VALIDATION_FAILED. */
export function parseStatementMonth(month: string, now: Date): StatementMonth {
  const match = STATEMENT_MONTH_PATTERN.exec(month);
  if (!match) throw new ValidationFailed([{ path: 'month', message: 'must be a month as YYYY-MM (e.g. 2026-01)' }], 'The month is not valid.');
  const year = Number(match[1]);
  const monthIndex = Number(match[2]) - 1;
  const start = new Date(0);
  start.setUTCFullYear(year, monthIndex, 1);
  const end = new Date(0);
  end.setUTCFullYear(year, monthIndex + 1, 1);
  if (start.getTime() > now.getTime()) {
    throw new ValidationFailed([{ path: 'month', message: `is in the future (the current month is ${utcMonthOf(now)})` }], 'There is no statement for a month that has not begun.');
  }
  return { month, start, end, toDate: end.getTime() > now.getTime() };
}
