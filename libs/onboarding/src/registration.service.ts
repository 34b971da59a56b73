import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RegisterRequest, RegisterResponse } from '@bank/contracts/auth';
import { AccountsService } from '@bank/accounts/accounts.service';
import { toAccountView } from '@bank/accounts/entities/account.entity';
import { LedgerService } from '@bank/ledger/ledger.service';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { toUserView } from '@bank/users/entities/user.entity';

/** Self-registration: a customer with everything they need to bank from the first minute. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerService,
  ) {}

  /** A customer, their first checking account, their card and the initial deposit, in one transaction. */
  async register(request: RegisterRequest): Promise<RegisterResponse> {
    const [passwordHash, pinHash] = await Promise.all([this.hasher.hash(request.password), this.hasher.hash(request.pin)]);
    return this.em.transactional(async () => {
      const user = await this.users.create({ email: request.email, passwordHash, fullName: request.fullName, role: 'customer' });
      const account = await this.accounts.openAccount(user.id, 'checking', 'USD');
      await this.accounts.issueCard(user.id, pinHash);
      if (request.initialDeposit === undefined) return { user: toUserView(user), account: toAccountView(account) };
      const deposited = await this.ledger.depositInTransaction(user.id, account.id, { amount: request.initialDeposit, description: 'Initial deposit' });
      return { user: toUserView(user), account: deposited.account };
    });
  }
}
