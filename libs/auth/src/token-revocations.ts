import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { UsersService } from '@bank/users/users.service';
import { SessionsRepository } from './sessions.repository';

/** Kept this much past an access token's lifetime, for tokens signed while their revocation was being written. */
const FORGET_AFTER_MARGIN_MS = 60_000;
/** Sweep forgotten revoked sessions when there are more than this many. */
const SWEEP_AT_SESSIONS = 1_000;

/** Why a token is refused: an admin's lock is in force (423), or it was revoked (401). */
export type TokenRefusal = 'locked' | 'revoked';

/** A change this process just learned of (its own, or another process's through the live stream). */
export type RevocationChange =
  | { kind: 'session'; userId: string; sessionId: string }
  | { kind: 'tokens'; userId: string; validAfterMs: number; adminLocked: boolean };

interface UserRevocation {
  validAfterMs: number;
  adminLocked: boolean;
}

/**
 * Access tokens are stateless, so each api process keeps what makes one dead before it expires:
 * per user, the time before which their tokens are refused (`users.tokens_valid_after`: an
 * admin's lock or unlock) and the revoked sessions (`sessions.revoked_at`: signed out from
 * another device, a password change). Both are in PostgreSQL and read at start, so a process
 * started later refuses the same tokens; changes arrive from the live stream (`tokens.revoked`,
 * `session.revoked`) on every process, and at once on the one that made them. Entries are
 * forgotten when every token they can refuse has expired.
 *
 * Times are compared in milliseconds (the `iat_ms` claim): a token issued before the revocation
 * is refused, one issued at or after it passes (a sign-in right after an unlock works).
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap {
  private readonly users = new Map<string, UserRevocation>();
  /** Revoked session id → when this process learned of it (ms). */
  private readonly sessions = new Map<string, number>();
  private readonly listeners: Array<(change: RevocationChange) => void> = [];

  constructor(
    private readonly usersService: UsersService,
    private readonly sessionsRepository: SessionsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get keepMs(): number {
    return this.config.accessTokenTtlS * 1000 + FORGET_AFTER_MARGIN_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    const withinS = Math.ceil(this.keepMs / 1000);
    const [users, sessions] = await Promise.all([this.usersService.tokenRevocationsWithin(withinS), this.sessionsRepository.revokedWithin(withinS)]);
    for (const user of users) this.remember(user.userId, user.validAfterMs, user.adminLocked);
    for (const session of sessions) this.sessions.set(session.id, session.revokedAtMs);
  }

  /** Called on every change this process learns of (the gateway cuts the sockets concerned). */
  onChange(listener: (change: RevocationChange) => void): void {
    this.listeners.push(listener);
  }

  /** The user's tokens issued before `validAfterMs` are refused (the newest told wins: the stream is in order per user, and an unlock may move it back to itself). */
  tokensRevoked(userId: string, validAfterMs: number, adminLocked: boolean): void {
    this.remember(userId, validAfterMs, adminLocked);
    this.emit({ kind: 'tokens', userId, validAfterMs, adminLocked });
  }

  sessionRevoked(userId: string, sessionId: string): void {
    if (this.sessions.size >= SWEEP_AT_SESSIONS) this.sweep();
    if (!this.sessions.has(sessionId)) this.sessions.set(sessionId, Date.now());
    this.emit({ kind: 'session', userId, sessionId });
  }

  /** Why a token of this user, session and issue time is refused, or null when it is not. */
  refusal(userId: string, sessionId: string, issuedAtMs: number, nowMs = Date.now()): TokenRefusal | null {
    const user = this.users.get(userId);
    if (user) {
      if (nowMs - user.validAfterMs > this.keepMs) this.users.delete(userId);
      else if (issuedAtMs < user.validAfterMs) return user.adminLocked ? 'locked' : 'revoked';
    }
    return this.sessions.has(sessionId) ? 'revoked' : null;
  }

  private remember(userId: string, validAfterMs: number, adminLocked: boolean): void {
    this.users.set(userId, { validAfterMs, adminLocked });
  }

  private sweep(nowMs = Date.now()): void {
    for (const [sessionId, learnedAtMs] of this.sessions) if (nowMs - learnedAtMs > this.keepMs) this.sessions.delete(sessionId);
  }

  private emit(change: RevocationChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
