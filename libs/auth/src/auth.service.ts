import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RegisterRequest, TokenResponse } from '@bank/contracts/auth';
import type { CreateStaffRequest, Role, UserView } from '@bank/contracts/users';
import type { AccountView } from '@bank/contracts/accounts';
import { AccountsService } from '@bank/accounts/accounts.service';
import { toAccountView } from '@bank/accounts/entities/account.entity';
import { AccountLocked, InvalidCredentials, NotFound, TokenInvalid } from '@bank/problems/domain-error';
import { LedgerService } from '@bank/ledger/ledger.service';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import { TokenService } from './token.service';
import { SecurityEventsService } from '@bank/security/security-events.service';
import { LOCKOUT_THRESHOLD } from '@bank/contracts/security';

export interface NewUser {
  email: string;
  password: string;
  fullName: string;
  role: Role;
}

/** Registration, sign-in, token refresh and sign-out. */
@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerService,
    private readonly security: SecurityEventsService,
  ) {}

  /** A customer, their first checking account, their card and the initial deposit, in one transaction. */
  async register(request: RegisterRequest): Promise<{ user: UserView; account: AccountView }> {
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

  /** Employees and admins are created by an admin (or the bootstrap), never by self-registration. */
  /** An admin creates an employee or admin; the audit trail gets `staff.created` in the same transaction. */
  async createStaff(request: CreateStaffRequest, adminId: string, ip: string | null): Promise<UserView> {
    const passwordHash = await this.hasher.hash(request.password);
    return this.em.transactional(async () => {
      const user = await this.users.create({ email: request.email, passwordHash, fullName: request.fullName, role: request.role });
      await this.security.record('staff.created', { userId: user.id, ip, detail: { by: adminId, role: user.role, email: user.email } });
      return toUserView(user);
    });
  }

  async createUser(newUser: NewUser): Promise<User> {
    const passwordHash = await this.hasher.hash(newUser.password);
    return this.users.create({ email: newUser.email, passwordHash, fullName: newUser.fullName, role: newUser.role });
  }

  /**
   * Sign-in with lockout: every failure is a `login.failed` security event (with the email tried,
   * never the password); the LOCKOUT_THRESHOLD-th in a row locks the user, who then gets 423 even
   * with the right password. An unknown email costs the same hashing time as a wrong password.
   */
  async login(email: string, password: string, ip: string | null = null): Promise<TokenResponse> {
    const user = await this.users.findByEmail(email);
    const passwordMatches = user ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyNothing(password);
    if (user && passwordMatches && user.status !== 'locked') {
      await this.users.resetFailedLogins(user.id);
      return this.tokenResponse(user, await this.tokens.issueRefreshToken(user.id));
    }
    if (user && passwordMatches) throw new AccountLocked();
    const lockedNow = await this.em.transactional(async () => {
      if (!user) {
        await this.security.record('login.failed', { ip, detail: { email: email.toLowerCase(), reason: 'unknown email' } });
        return false;
      }
      const outcome = await this.users.countFailedLogin(user.id, LOCKOUT_THRESHOLD);
      await this.security.record('login.failed', {
        userId: user.id,
        ip,
        detail: { email: user.email, reason: outcome.alreadyLocked ? 'wrong password for a locked user' : 'wrong password', failedLogins: outcome.failedLogins },
      });
      if (outcome.lockedNow) {
        await this.security.record('account.locked', { userId: user.id, ip, detail: { email: user.email, reason: `${LOCKOUT_THRESHOLD} failed logins in a row` } });
        await this.security.announceUser('user.locked', { ...toUserView(user), status: 'locked' });
      }
      return outcome.lockedNow || outcome.alreadyLocked;
    });
    throw lockedNow ? new AccountLocked() : new InvalidCredentials();
  }

  /** Rotates a refresh token: the presented one dies, a new one of the same family is issued. */
  async refresh(refreshToken: string, ip: string | null = null): Promise<TokenResponse> {
    const rotated = await this.tokens.rotateRefreshToken(refreshToken, ip);
    const user = await this.users.findById(rotated.userId);
    if (!user || user.status === 'locked') {
      await this.tokens.revokeFamily(rotated.familyId);
      if (!user) throw new TokenInvalid();
      throw new AccountLocked();
    }
    return this.tokenResponse(user, rotated.token);
  }

  async logout(userId: string, refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.tokens.revokeFamilyOfToken(userId, refreshToken);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFound('The user');
    return toUserView(user);
  }

  private async tokenResponse(user: User, refreshToken: string): Promise<TokenResponse> {
    return {
      accessToken: await this.tokens.signAccessToken({ id: user.id, role: user.role }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlS,
      user: toUserView(user),
    };
  }
}
