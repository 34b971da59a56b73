import { Injectable } from '@nestjs/common';
import type { AdminStats } from '@bank/contracts/ledger';
import { AccountsService } from '@bank/accounts/accounts.service';
import { LedgerQueriesService } from '@bank/ledger/ledger-queries.service';
import { UsersService } from '@bank/users/users.service';

/** The admin dashboard's numbers, each from the module that owns it. */
@Injectable()
export class AdminStatsService {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerQueriesService,
  ) {}

  async stats(): Promise<AdminStats> {
    const startOfUtcDay = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    const [users, accounts, transactionsToday] = await Promise.all([this.users.stats(), this.accounts.stats(), this.ledger.transactionsSince(startOfUtcDay)]);
    return {
      customers: users.customers,
      accounts: accounts.accounts,
      lockedUsers: users.lockedUsers,
      totalCustomerBalance: accounts.totalCustomerBalance,
      transactionsToday,
      // Service requests arrive with the request pipeline (issue 5); until then none can be open.
      openRequests: 0,
      lastLockout: users.lastLockout,
    };
  }
}
