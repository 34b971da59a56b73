/** Money on screen: integer minor units in, the account currency's format out (and back for input). */

function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number, currency: string, options: { signed?: boolean } = {}): string {
  const digits = fractionDigits(currency);
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency, signDisplay: options.signed ? 'exceptZero' : 'auto' });
  return format.format(minor / 10 ** digits);
}

/**
 * What a person typed ("12.5", "1,250.00") as minor units, or an error for the field. Exact:
 * digits are shifted as text, never multiplied as floats.
 */
export function parseMoney(text: string, currency: string): { minor: number } | { error: string } {
  const digits = fractionDigits(currency);
  const cleaned = text.trim().replace(/[,\s]/g, '');
  if (cleaned === '') return { error: 'Enter an amount.' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return { error: 'Enter an amount like 12.50.' };
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return { error: `At most ${digits} digits after the point.` };
  const minor = Number(match[1] + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return { error: 'That amount is too large.' };
  if (minor < 1) return { error: 'The amount must be more than zero.' };
  return { minor };
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
