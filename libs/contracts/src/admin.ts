import type { AccountView } from './accounts';
import type { SecurityEventView } from './security';
import type { UserView } from './users';
import type { MinorUnitsTotal } from './money';

/** `GET /admin/stats`: the admin dashboard's numbers. */
export interface AdminStats {
  customers: number;
  accounts: number;
  lockedUsers: number;
  /** Exact: a JSON number while safe, else a decimal string (see MinorUnitsTotal). */
  totalCustomerBalance: MinorUnitsTotal;
  transactionsToday: number;
  openRequests: number;
  lastLockout: string | null;
  /** Transfers held for review and not yet decided (API.md "Holds"): how many, and the amount they reserve. */
  pendingHolds: { count: number; amount: MinorUnitsTotal };
}

/** How many of a user's latest security events `GET /admin/users/:id` carries. */
export const USER_DETAIL_EVENTS_MAX = 20;

/**
 * `GET /admin/users/:id`: the `user` of API.md (so a client reading it as a `user` still works),
 * with what an admin decides a lock on.
 */
export interface AdminUserDetail extends UserView {
  /** When and why the user was locked (a lockout or an admin); null while active. */
  lockedAt: string | null;
  lockReason: string | null;
  /** Failed sign-ins in a row so far (the lockout counts to 5). */
  failedLogins: number;
  /** Every account the user owns, oldest first (staff own none). */
  accounts: AccountView[];
  /** Live sessions: refresh-token families neither revoked, spent to the end nor expired. */
  sessions: number;
  /** The user's latest security events, newest first (at most USER_DETAIL_EVENTS_MAX). */
  recentSecurityEvents: SecurityEventView[];
}
