/** `GET /admin/stats`: the admin dashboard's numbers. */
export interface AdminStats {
  customers: number;
  accounts: number;
  lockedUsers: number;
  totalCustomerBalance: number;
  transactionsToday: number;
  openRequests: number;
  lastLockout: string | null;
}
