import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { TokenResponse } from '@bank/contracts/auth';
import type { UserView } from '@bank/contracts/users';
import { AccountLocked, InvalidCredentials, NotFound, TokenInvalid } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import type { LoginResponse } from '@bank/contracts/mfa';
import { TokenService } from './token.service';
import { SecurityTrail } from './security-trail';
import { SignInWatch, type SignInOrigin } from './sign-in-watch';
import { FailedSignIns } from './failed-sign-ins';
import { TotpFactorsRepository } from './totp-factors.repository';
import { MfaChallenges } from './mfa-challenges';

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
    private readonly failedSignIns: FailedSignIns,
    private readonly totpFactors: TotpFactorsRepository,
    private readonly mfaChallenges: MfaChallenges,
  ) {}

  /**
   * Sign-in with lockout: every failure is a `login.failed` security event (with the email tried,
   * never the password); the LOCKOUT_THRESHOLD-th in a row locks the user, who then gets 423 even
   * with the right password. An unknown email costs the same hashing time as a wrong password.
   * With TOTP on, the right password answers the challenge of the second step instead of tokens
   * (and does not reset the failure count: only a completed sign-in does, so wrong codes between
   * right passwords still add up to a lock).
   */
  async login(email: string, password: string, ip: string | null = null, userAgent: string | null = null): Promise<LoginResponse> {
    const user = await this.users.findByEmail(email);
    const passwordMatches = user ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyNothing(password);
    if (user && passwordMatches && user.status !== 'locked') {
      if (await this.totpFactors.isActive(user.id)) return this.mfaChallenges.issue(user.id);
      return this.signIn(user, { userAgent, ip });
    }
    if (user && passwordMatches) throw new AccountLocked();
    if (!user) {
      await this.em.transactional(() => this.security.record('login.failed', { ip, detail: { email: email.toLowerCase(), reason: 'unknown email' } }));
      throw new InvalidCredentials();
    }
    throw (await this.failedSignIns.count(user, { type: 'login.failed', reason: 'wrong password', ip })) ? new AccountLocked() : new InvalidCredentials();
  }

  /**
   * The one way a proven sign-in gets its tokens — the password, and the second factor when TOTP is
   * on (`POST /auth/mfa/verify` comes here too): the failure count starts again, a refresh-token
   * family is issued, and a sign-in from a device or address the user never signed in from is
   * notified to them, in one transaction.
   */
  async signIn(user: User, origin: SignInOrigin): Promise<TokenResponse> {
    const refreshToken = await this.em.transactional(async () => {
      await this.users.resetFailedLogins(user.id);
      const issued = await this.tokens.issueRefreshToken(user.id);
      await this.signIns.noteSignIn(user.id, origin);
      return issued;
    });
    return this.tokenResponse(user, refreshToken);
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
