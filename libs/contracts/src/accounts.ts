import { z } from 'zod';
import { CurrencySchema } from './money';
import { AccountNumberSchema } from './account-number';

export const ACCOUNT_TYPES = ['checking', 'savings'] as const;
export const AccountTypeSchema = z.enum(ACCOUNT_TYPES);
export type AccountType = z.infer<typeof AccountTypeSchema>;

export const ACCOUNT_STATUSES = ['active', 'frozen', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Default daily transfer limit of a new account, in minor units. */
export const DAILY_LIMIT_DEFAULT_MINOR = 1_000_000;

/** `account` of API.md. */
export interface AccountView {
  id: string;
  number: string;
  type: AccountType;
  currency: string;
  balance: number;
  /** `balance` − pending holds: what can be spent now. */
  availableBalance: number;
  status: AccountStatus;
  dailyLimit: number;
  createdAt: string;
}

/** `GET /accounts`: every account of the caller, oldest first (not paged). */
export interface AccountList {
  items: AccountView[];
}

export const OpenAccountRequestSchema = z.strictObject({
  type: AccountTypeSchema.default('checking'),
  currency: CurrencySchema.default('USD'),
});
export type OpenAccountRequest = z.infer<typeof OpenAccountRequestSchema>;

/** `GET /accounts/lookup?number=`: the account number to name before paying it (12 digits with its check digit). */
export const AccountLookupQuerySchema = z.strictObject({ number: AccountNumberSchema });
export type AccountLookupQuery = z.infer<typeof AccountLookupQuerySchema>;

/** The answer of `GET /accounts/lookup`: the holder's name masked to first name and last initial (`Bob B.`). */
export interface AccountLookup {
  accountNumber: string;
  name: string;
}
