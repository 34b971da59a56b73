import { randomInt } from 'node:crypto';
import { accountNumberFromPayload } from '@bank/contracts/account-number';

/** A fresh random account number; uniqueness is the database's job (the caller retries on collision). */
export function randomAccountNumber(): string {
  let payload = '';
  for (let i = 0; i < 11; i++) payload += String(randomInt(10));
  // A leading zero would read as a shorter number in spreadsheets; 9 is reserved for the bank's own accounts.
  if (payload[0] === '0' || payload[0] === '9') payload = String(randomInt(1, 9)) + payload.slice(1);
  return accountNumberFromPayload(payload);
}
