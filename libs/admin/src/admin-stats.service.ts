import { Injectable } from '@nestjs/common';
import type { AdminStats } from '@bank/contracts/admin';
import { AccountsService } from '@bank/accounts/accounts.service';
import { LedgerQueriesService } from '@bank/ledger/ledger-queries.service';
import { UsersService } from '@bank/users/users.service';
import { RequestsService } from '@bank/requests/requests.service';
import { HoldsService } from '@bank/ledger/holds/holds.service';

/** The admin dashboard's numbers, each from the module that owns it. */
@Injectable()
export class AdminStatsService {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerQueriesService,
    private readonly requests: RequestsService,
    private readonly holds: HoldsService,
  ) {}

  async stats(): Promise<AdminStats> {
    const startOfUtcDay = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    const [users, accounts, transactionsToday, openRequests, pendingHolds] = await Promise.all([
      this.users.stats(),
      this.accounts.stats(),
      this.ledger.transactionsSince(startOfUtcDay),
      this.requests.countOpen(),
      this.holds.pendingTotals(),
    ]);
    return {
      customers: users.customers,
      accounts: accounts.accounts,
      lockedUsers: users.lockedUsers,
      totalCustomerBalance: accounts.totalCustomerBalance,
      transactionsToday,
      openRequests,
      lastLockout: users.lastLockout,
      pendingHolds,
    };
  }
}
