import { z } from 'zod';
import { TRANSACTION_KINDS, type TransactionKind } from './ledger';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './pagination';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

/** Longest search text `GET /accounts/:id/transactions?q=` accepts (after trimming). */
export const HISTORY_SEARCH_TEXT_MAX = 100;
/**
 * Shortest search text: three characters make a trigram, so every text search can use the
 * description's trigram index; a shorter one would walk an account's whole history when it rarely
 * matches (measured: 420 ms at 1,000,000 entries, docs/benchmarks.md).
 */
export const HISTORY_SEARCH_TEXT_MIN = 3;

/** A calendar day `YYYY-MM-DD` that exists (2026-02-30 does not); read as a UTC day. */
export const IsoDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
  .refine((day) => {
    const time = Date.parse(`${day}T00:00:00.000Z`);
    return Number.isFinite(time) && new Date(time).toISOString().startsWith(day);
  }, { error: 'must be a date that exists' });

/** Query strings arrive as text: digits only (no sign, fraction, exponent or blank), at most 15 of them (a safe integer). */
const MinorUnitsFilterSchema = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'must be a non-negative integer number of minor units' })
  .transform(Number);

/**
 * `GET /accounts/:id/transactions`: API.md's `?limit&cursor` with the history search. Every filter
 * given must hold (AND). `from`/`to` are UTC days, both inclusive; `minAmount`/`maxAmount` bound the
 * entry's absolute amount (minor units, inclusive); `q` is a case-insensitive part of the
 * description or of the counterparty's name (blank = no search). The cursor stays the keyset of the
 * unfiltered list, so a cursor with the same filters continues the filtered list.
 */
export const HistoryQuerySchema = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
    cursor: z.string().min(1).max(512).optional(),
    from: IsoDaySchema.optional(),
    to: IsoDaySchema.optional(),
    kind: z.enum(TRANSACTION_KINDS).optional(),
    minAmount: MinorUnitsFilterSchema.optional(),
    maxAmount: MinorUnitsFilterSchema.optional(),
    q: z
      .string()
      .trim()
      .max(HISTORY_SEARCH_TEXT_MAX, { error: `must be at most ${HISTORY_SEARCH_TEXT_MAX} characters` })
      .refine((q) => q === '' || [...q].length >= HISTORY_SEARCH_TEXT_MIN, { error: `must be at least ${HISTORY_SEARCH_TEXT_MIN} characters (or empty: no search)` })
      .refine(isStorableText, { error: STORABLE_TEXT_ERROR })
      .transform((q) => (q === '' ? undefined : q))
      .optional(),
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, { path: ['to'], error: 'must not be before from' })
  .refine((query) => query.minAmount === undefined || query.maxAmount === undefined || query.minAmount <= query.maxAmount, {
    path: ['maxAmount'],
    error: 'must not be less than minAmount',
  });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

/** The filters as a client sends them (amounts in minor units); every field optional, blank = not set. */
export type HistoryFilter = {
  from?: string;
  to?: string;
  kind?: TransactionKind;
  minAmount?: number;
  maxAmount?: number;
  q?: string;
};

export const HISTORY_FILTER_KEYS = ['from', 'to', 'kind', 'minAmount', 'maxAmount', 'q'] as const satisfies ReadonlyArray<keyof HistoryFilter>;

/** True if any filter is set. */
export function hasHistoryFilter(filter: HistoryFilter): boolean {
  return HISTORY_FILTER_KEYS.some((key) => filter[key] !== undefined && filter[key] !== '');
}

/**
 * Whether an entry (as the history lists it) matches the filters, exactly as the api decides it:
 * the browser uses it to keep live entries that do not match out of a filtered list.
 */
export function entryMatchesHistoryFilter(
  entry: { kind: TransactionKind; amount: number; createdAt: string; description: string | null; counterparty: { name: string } | null },
  filter: HistoryFilter,
): boolean {
  const day = entry.createdAt.slice(0, 10);
  if (filter.from && day < filter.from) return false;
  if (filter.to && day > filter.to) return false;
  if (filter.kind && entry.kind !== filter.kind) return false;
  const size = Math.abs(entry.amount);
  if (filter.minAmount !== undefined && size < filter.minAmount) return false;
  if (filter.maxAmount !== undefined && size > filter.maxAmount) return false;
  const text = filter.q?.trim().toLowerCase();
  if (text) {
    const inDescription = entry.description?.toLowerCase().includes(text) ?? false;
    const inName = entry.counterparty?.name.toLowerCase().includes(text) ?? false;
    if (!inDescription && !inName) return false;
  }
  return true;
}
