/** Money on screen: integer minor units in, the account currency's format out (and back for input). */

function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * `minor` is a number, or a total beyond 2^53 sent as its exact decimal digits (MinorUnitsTotal):
 * that one is formatted from its digits, the point placed as text, so no digit is rounded away.
 */
export function formatMoney(minor: number | string, currency: string, options: { signed?: boolean } = {}): string {
  const digits = fractionDigits(currency);
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency, signDisplay: options.signed ? 'exceptZero' : 'auto' });
  if (typeof minor === 'number') return format.format(minor / 10 ** digits);
  const negative = minor.startsWith('-');
  const magnitude = (negative ? minor.slice(1) : minor).padStart(digits + 1, '0');
  const decimal = `${negative ? '-' : ''}${magnitude.slice(0, magnitude.length - digits)}${digits > 0 ? `.${magnitude.slice(-digits)}` : ''}`;
  return format.format(decimal as Intl.StringNumericLiteral);
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
