/** `GET /admin/stats`: the admin dashboard's numbers. */
export interface AdminStats {
  customers: number;
  accounts: number;
  lockedUsers: number;
  totalCustomerBalance: number;
  transactionsToday: number;
  openRequests: number;
  lastLockout: string | null;
  /** Transfers held for review and not yet decided (API.md "Holds"): how many, and the amount they reserve. */
  pendingHolds: { count: number; amount: number };
}
