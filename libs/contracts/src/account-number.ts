import { z } from 'zod';

/**
 * Account numbers are 12 digits; the last is a Luhn check digit, so any single-digit typo or
 * adjacent transposition in a typed target number is detected before a lookup.
 */
export const ACCOUNT_NUMBER_LENGTH = 12;

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidAccountNumber(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  return luhnCheckDigit(value.slice(0, -1)) === value.charCodeAt(value.length - 1) - 48;
}

/** Builds a valid number from 11 payload digits. */
export function accountNumberFromPayload(payload: string): string {
  if (!/^\d{11}$/.test(payload)) throw new RangeError('account number payload must be 11 digits');
  return payload + String(luhnCheckDigit(payload));
}

/** A typed account number as the api accepts it: 12 digits, the last one right. */
export const AccountNumberSchema = z
  .string()
  .regex(/^\d{12}$/, { error: 'must be 12 digits' })
  .refine(isValidAccountNumber, { error: 'has a wrong check digit (a typo?)' });
