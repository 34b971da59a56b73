import { STATEMENT_COLUMNS, statementCells, statementFigures, statementLine, type StatementEntry, type StatementSummary } from './statement-format';

/** A cell that a spreadsheet would run as a formula (OWASP "CSV Injection"): these first characters, tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Numbers the statement writes itself (amounts, balances), which may start with `-` and must stay numbers. */
const DECIMAL = /^-?\d+\.\d{2}$/;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled.
 * Text that starts like a formula is prefixed with `'` so a spreadsheet shows it as text.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !DECIMAL.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/**
 * The statement as CSV, one chunk per page of entries as they are read: a block of figures
 * (label, value), an empty line, then the table with a header row. Lines end in CRLF (RFC 4180).
 */
export async function* statementCsv(summary: StatementSummary, pages: AsyncIterable<readonly StatementEntry[]>): AsyncGenerator<string> {
  yield statementFigures(summary).map(([label, value]) => csvRow([label, value])).join('') + '\r\n' + csvRow(STATEMENT_COLUMNS);
  for await (const page of pages) yield page.map((entry) => csvRow(statementCells(statementLine(entry)))).join('');
}
