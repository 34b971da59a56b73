import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { TokenResponse } from '@bank/contracts/auth';
import type { UserView } from '@bank/contracts/users';
import { AccountLocked, InvalidCredentials, NotFound, TokenInvalid } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { isAdminLocked, toUserView, type User } from '@bank/users/entities/user.entity';
import type { LoginResponse } from '@bank/contracts/mfa';
import { TokenService, type RotatedRefreshToken } from './token.service';
import { SecurityTrail } from './security-trail';
import { SignInWatch, type SignInOrigin } from './sign-in-watch';
import { SessionsService } from './sessions.service';
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
    private readonly sessions: SessionsService,
    private readonly failedSignIns: FailedSignIns,
    private readonly totpFactors: TotpFactorsRepository,
    private readonly mfaChallenges: MfaChallenges,
  ) {}

  /**
   * Sign-in with lockout: every failure is a `login.failed` security event (with the email tried,
   * never the password); the LOCKOUT_THRESHOLD-th in a row locks the user out of new sign-ins,
   * who then gets 423 even with the right password (their open sessions go on). An unknown email
   * costs the same hashing time as a wrong password. With TOTP on, the right password answers the
   * challenge of the second step instead of tokens (and does not reset the failure count: only a
   * completed sign-in does, so wrong codes between right passwords still add up to a lock).
   */
  async login(email: string, password: string, ip: string | null = null, userAgent: string | null = null): Promise<LoginResponse> {
    const user = await this.users.findByEmail(email);
    const passwordMatches = user ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyNothing(password);
    if (user && passwordMatches && user.status !== 'locked') {
      if (await this.totpFactors.isActive(user.id)) return this.mfaChallenges.issue(user.id);
      return this.startSession(user, { userAgent, ip });
    }
    if (user && passwordMatches) throw new AccountLocked();
    if (!user) {
      await this.em.transactional(() => this.security.record('login.failed', { ip, detail: { email: email.toLowerCase(), reason: 'unknown email' } }));
      throw new InvalidCredentials();
    }
    throw (await this.failedSignIns.count(user, { type: 'login.failed', reason: 'wrong password', ip })) ? new AccountLocked() : new InvalidCredentials();
  }

  /**
   * The one way a proven sign-in gets its tokens — the password, and the second factor when TOTP
   * is on (`POST /auth/mfa/verify` comes here too): the failure count
   * starts again, a new session (refresh-token family) begins, the sign-in is noted (a new
   * device or address is notified to the user) — in one transaction — and the token pair of
   * that session is issued.
   */
  async startSession(user: User, origin: SignInOrigin): Promise<TokenResponse> {
    const session = await this.em.transactional(async () => {
      await this.users.resetFailedLogins(user.id);
      const started = await this.sessions.start(user.id, origin);
      await this.signIns.noteSignIn(user.id, origin);
      return started;
    });
    return this.tokenResponse(user, session.sessionId, session.refreshToken);
  }

  /**
   * Rotates a refresh token: the presented one dies, a new one of the same session is issued.
   * A lockout after failed sign-ins does not stop it (the session is the user's own); an admin's
   * lock does (its sessions are ended with it; this catches any it missed).
   */
  async refresh(refreshToken: string, ip: string | null = null): Promise<TokenResponse> {
    let reused: { userId: string; ended: string[] } | null = null;
    let rotated: RotatedRefreshToken;
    try {
      rotated = await this.tokens.rotateRefreshToken(refreshToken, ip, async (userId, familyId) => {
        reused = { userId, ended: await this.sessions.end(userId, { ids: [familyId] }, 'refresh token reused', ip) };
      });
    } catch (error) {
      const ended = reused as { userId: string; ended: string[] } | null;
      if (ended) this.sessions.applyHere(ended.userId, ended.ended);
      throw error;
    }
    const user = await this.users.findById(rotated.userId);
    if (!user || isAdminLocked(user)) {
      const ended = await this.em.transactional(() => this.sessions.end(rotated.userId, { ids: [rotated.familyId] }, 'signed out', ip));
      this.sessions.applyHere(rotated.userId, ended);
      if (!user) throw new TokenInvalid();
      throw new AccountLocked();
    }
    return this.tokenResponse(user, rotated.familyId, rotated.token);
  }

  /** Ends the session of the refresh token presented, if it is one of this user's (its access tokens die with it). */
  async logout(userId: string, refreshToken: string | undefined): Promise<void> {
    const sessionId = refreshToken ? await this.tokens.familyOfToken(userId, refreshToken) : null;
    if (!sessionId) return;
    const ended = await this.em.transactional(() => this.sessions.end(userId, { ids: [sessionId] }, 'signed out', null));
    this.sessions.applyHere(userId, ended);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFound('The user');
    return toUserView(user);
  }

  private async tokenResponse(user: User, sessionId: string, refreshToken: string): Promise<TokenResponse> {
    return {
      accessToken: await this.tokens.signAccessToken({ id: user.id, role: user.role, sessionId }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlS,
      user: toUserView(user),
    };
  }
}
