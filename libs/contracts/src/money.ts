import { z } from 'zod';

/** The largest amount one request may move, in minor units (API.md "Conventions"). */
export const AMOUNT_MAX_MINOR = 100_000_000_000;

/** An amount in minor units: an integer 1 ≤ amount ≤ 1e11. Strings, fractions and floats are refused. */
export const AmountSchema = z
  .number({ error: 'must be an integer number of minor units' })
  .int({ error: 'must be an integer number of minor units' })
  .min(1, { error: 'must be at least 1' })
  .max(AMOUNT_MAX_MINOR, { error: `must be at most ${AMOUNT_MAX_MINOR}` });

export const CURRENCIES = ['USD'] as const;
export const CurrencySchema = z.enum(CURRENCIES);
export type Currency = z.infer<typeof CurrencySchema>;

/**
 * A sum of minor units that can outgrow a JSON number (admin totals, the ledger check): a JSON
 * number while it is a safe integer (|n| ≤ 2^53 − 1), else a string of its exact decimal digits
 * (`"-"` for a negative one), never rounded. Read it with `BigInt(value)` to be exact either way.
 */
export type MinorUnitsTotal = number | string;
