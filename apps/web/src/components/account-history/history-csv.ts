import type { EntryView } from '@bank/contracts/ledger';

const HEADER = ['date', 'kind', 'description', 'counterparty', 'counterparty_account', 'amount', 'balance_after', 'transaction_id'];

const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** A text cell a person wrote (description, name): never read as a formula — a leading = + - @ is defused. */
function textCell(value: string | null | undefined): string {
  const text = value ?? '';
  return quoted(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
}

/** Amounts in major units with the currency's digits (the file is for people and spreadsheets). */
export function historyCsv(entries: readonly EntryView[], fractionDigits = 2): string {
  const major = (minor: number) => (minor / 10 ** fractionDigits).toFixed(fractionDigits);
  const rows = entries.map((entry) =>
    [
      quoted(entry.createdAt),
      quoted(entry.kind),
      textCell(entry.description),
      textCell(entry.counterparty?.name),
      quoted(entry.counterparty?.accountNumber ?? ''),
      quoted(major(entry.amount)),
      quoted(major(entry.balanceAfter)),
      quoted(entry.transactionId),
    ].join(','),
  );
  return [HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}
