/** bigint from PostgreSQL (a string, or a number from a JSON value) → number, refusing anything that would lose precision. */
export function minorUnits(value: string | number): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`not a safe integer amount: ${value}`);
  return number;
}
