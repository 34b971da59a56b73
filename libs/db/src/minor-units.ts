import type { MinorUnitsTotal } from '@bank/contracts/money';

/** bigint from PostgreSQL (a string, or a number from a JSON value) → number, refusing anything that would lose precision. */
export function minorUnits(value: string | number): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`not a safe integer amount: ${value}`);
  return number;
}

/** An integer of minor units from PostgreSQL (bigint or an integral numeric, as text) as a bigint, exactly. */
export function bigMinorUnits(value: string | number | bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer amount: ${value}`);
  return BigInt(value);
}

/** A total for the contract (MinorUnitsTotal): a number while safe, else its exact decimal digits as a string. */
export function minorUnitsTotal(value: string | number | bigint): MinorUnitsTotal {
  const exact = bigMinorUnits(value);
  return exact >= BigInt(Number.MIN_SAFE_INTEGER) && exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact.toString();
}
