/** Monthly statements (API.md `GET /accounts/:id/statements/:month`), shared by the api and the browser. */

/** A statement's month: `YYYY-MM`, a UTC calendar month. */
export const STATEMENT_MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The formats a statement comes in, by the `Accept` media type that asks for it. */
export const STATEMENT_MEDIA_TYPES = { csv: 'text/csv', pdf: 'application/pdf' } as const;
export type StatementFormat = keyof typeof STATEMENT_MEDIA_TYPES;

/** `GET /accounts/:id/statements`: the months a statement can be asked for, from the first to the current one (UTC). */
export interface StatementPeriods {
  /** The month the account was opened, or of its first entry if that is earlier (backdated history). */
  firstMonth: string;
  /** The current UTC month: its statement is "to date". */
  currentMonth: string;
}

/** The file name the api gives a statement (Content-Disposition), and the browser when it saves one. */
export function statementFileName(accountNumber: string, month: string, format: StatementFormat): string {
  return `statement-${accountNumber}-${month}.${format}`;
}

/** The months from `firstMonth` to `lastMonth` (both `YYYY-MM`), newest first. */
export function monthsNewestFirst(firstMonth: string, lastMonth: string): string[] {
  const index = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  const months: string[] = [];
  for (let at = index(lastMonth); at >= index(firstMonth); at--) months.push(`${String(Math.floor(at / 12)).padStart(4, '0')}-${String((at % 12) + 1).padStart(2, '0')}`);
  return months;
}
