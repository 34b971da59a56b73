import type { AccountStatus, AccountView } from '@bank/contracts/accounts';
import type { AccountKind, AccountTypeColumn } from './entities/account.entity';

/** The well-known id of the USD cash account that deposits and withdrawals post against. */
export const CASH_ACCOUNT_ID_USD = '00000000-0000-4000-8000-000000000001';

/** An `accounts` row as raw SQL returns it (bigint columns arrive as strings). */
export interface AccountRow {
  id: string;
  owner_id: string | null;
  number: string;
  kind: AccountKind;
  type: AccountTypeColumn;
  currency: string;
  status: AccountStatus;
  balance: string | number;
  daily_limit: string | number;
  spent_today: string | number;
  spent_on: string | Date | null;
  entry_count: string | number;
  created_at: string | Date;
}

/** bigint from PostgreSQL → number, refusing anything that would lose precision. */
export function minorUnits(value: string | number): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`not a safe integer amount: ${value}`);
  return number;
}

export function accountRowToView(row: AccountRow, balance: number = minorUnits(row.balance)): AccountView {
  return {
    id: row.id,
    number: row.number.trim(),
    type: row.type === 'savings' ? 'savings' : 'checking',
    currency: row.currency.trim(),
    balance,
    status: row.status,
    dailyLimit: minorUnits(row.daily_limit),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
