import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { TokenResponse } from '@bank/contracts/auth';
import type { UserView } from '@bank/contracts/users';
import { AccountLocked, InvalidCredentials, NotFound, TokenInvalid } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import { LOCKOUT_THRESHOLD } from '@bank/contracts/security';
import { TokenService } from './token.service';
import { SecurityTrail } from './security-trail';
import { SignInWatch, type SignInOrigin } from './sign-in-watch';

/** Sign-in, token refresh and sign-out. */
@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly security: SecurityTrail,
    private readonly signIns: SignInWatch,
  ) {}

  /**
   * Sign-in with lockout: every failure is a `login.failed` security event (with the email tried,
   * never the password); the LOCKOUT_THRESHOLD-th in a row locks the user, who then gets 423 even
   * with the right password. An unknown email costs the same hashing time as a wrong password.
   * A sign-in from a device or address the user never signed in from is notified to them, in the
   * sign-in's transaction.
   */
  async login(email: string, password: string, ip: string | null = null, userAgent: string | null = null): Promise<TokenResponse> {
    const user = await this.users.findByEmail(email);
    const passwordMatches = user ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyNothing(password);
    if (user && passwordMatches && user.status !== 'locked') {
      const origin: SignInOrigin = { userAgent, ip };
      const refreshToken = await this.em.transactional(async () => {
        await this.users.resetFailedLogins(user.id);
        const issued = await this.tokens.issueRefreshToken(user.id);
        await this.signIns.noteSignIn(user.id, origin);
        return issued;
      });
      return this.tokenResponse(user, refreshToken);
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
