import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { RoleSchema } from '@bank/contracts/users';
import { AccountLocked, TokenInvalid, TokenReused } from '@bank/problems/domain-error';
import { SecurityTrail } from './security-trail';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsRepository } from './sessions.repository';
import { TokenRevocations } from './token-revocations';
import { JWT_ALGORITHM, JWT_ISSUER, type AccessTokenClaims, type AuthenticatedUser, type VerifiedAccessToken } from './access-token';

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * What a signed access token must claim, checked after its signature: a forged or odd token
 * (a `sub` that is no user id, a role that is none of the three) is 401, never a 500 further on.
 */
const AccessClaimsSchema = z.object({
  typ: z.literal('access'),
  sub: z.uuid(),
  role: RoleSchema,
  sid: z.uuid(),
  iat: z.number().int().nonnegative(),
  iat_ms: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});

export interface RotatedRefreshToken {
  userId: string;
  familyId: string;
  /** The successor, in clear: returned to the client once, stored only as its digest. */
  token: string;
}

/** Signs and checks access JWTs; issues, rotates and revokes refresh-token families. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly revocations: TokenRevocations,
    private readonly security: SecurityTrail,
  ) {}

  get accessTokenTtlS(): number {
    return this.config.accessTokenTtlS;
  }

  signAccessToken(user: AuthenticatedUser): Promise<string> {
    const issuedAtMs = Date.now();
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, typ: 'access', sid: user.sessionId, iat: Math.floor(issuedAtMs / 1000), iat_ms: issuedAtMs };
    return this.jwt.signAsync(claims, { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, expiresIn: this.config.accessTokenTtlS });
  }

  /**
   * A valid access token of a session that is not revoked, of a user whose tokens from then are
   * not revoked: every door (REST guard, socket handshake, queue board) asks this. 423
   * `ACCOUNT_LOCKED` while an admin's lock refuses it, 401 `TOKEN_INVALID` for anything else.
   */
  async verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    let verified: unknown;
    try {
      verified = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER });
    } catch {
      throw new TokenInvalid();
    }
    const parsed = AccessClaimsSchema.safeParse(verified);
    if (!parsed.success) throw new TokenInvalid();
    const claims = parsed.data;
    // iat_ms must be the same moment as iat, so a token cannot claim a later issue time than its signer wrote.
    if (Math.floor(claims.iat_ms / 1000) !== claims.iat) throw new TokenInvalid();
    const refusal = this.revocations.refusal(claims.sub, claims.sid, claims.iat_ms);
    if (refusal === 'locked') throw new AccountLocked();
    if (refusal === 'revoked') throw new TokenInvalid('This session was ended (signed out, password changed or access revoked). Sign in again.');
    return { id: claims.sub, role: claims.role, sessionId: claims.sid, issuedAtMs: claims.iat_ms, expiresAtMs: claims.exp * 1000 };
  }

  /** Starts a new family, the session's first refresh token: staged, written by the next flush. */
  startFamily(userId: string, familyId: string): string {
    return this.newRefreshToken(userId, familyId);
  }

  /** Writes what was staged (the caller's transaction commits it). */
  flush(): Promise<void> {
    return this.refreshTokens.flush();
  }

  /**
   * Spends a refresh token and issues its successor in the same family, in one transaction that
   * holds the old token's row lock: a concurrent use of the same token waits, then finds it used
   * and revokes the family, successor included. A token of a revoked session is dead even if a
   * revocation missed it (it was being rotated meanwhile). Reuse ends the session like a sign-out:
   * `onReuse` runs in the transaction (its events and security trail).
   */
  async rotateRefreshToken(token: string, ip: string | null, onReuse: (userId: string, familyId: string) => Promise<void>): Promise<RotatedRefreshToken> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.em.transactional(async () => {
      const row = await this.refreshTokens.findForUpdate(tokenHash);
      if (!row) return { kind: 'invalid' as const };
      if (row.usedAt) {
        await this.refreshTokens.revokeFamily(row.familyId);
        await this.security.record('token.reused', { userId: row.userId, ip, detail: { familyId: row.familyId } });
        await onReuse(row.userId, row.familyId);
        return { kind: 'reused' as const };
      }
      if (row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      if (await this.sessions.isRevoked(row.familyId)) return { kind: 'invalid' as const };
      this.refreshTokens.markUsed(row);
      const next = this.newRefreshToken(row.userId, row.familyId);
      await this.refreshTokens.flush();
      await this.sessions.touch(row.familyId, ip);
      return { kind: 'rotated' as const, userId: row.userId, familyId: row.familyId, token: next };
    });
    if (outcome.kind === 'reused') throw new TokenReused();
    if (outcome.kind === 'invalid') throw new TokenInvalid('The refresh token is invalid, expired or revoked.');
    return { userId: outcome.userId, familyId: outcome.familyId, token: outcome.token };
  }

  /** How many sessions (refresh-token families still usable) the user has now. */
  liveSessionCount(userId: string): Promise<number> {
    return this.refreshTokens.countLiveFamilies(userId);
  }

  /** The family (session) of one of this user's refresh tokens, or null. */
  async familyOfToken(userId: string, token: string): Promise<string | null> {
    const row = await this.refreshTokens.findOwned(hashRefreshToken(token), userId);
    return row?.familyId ?? null;
  }

  private newRefreshToken(userId: string, familyId: string): string {
    const token = randomBytes(32).toString('base64url');
    this.refreshTokens.add({
      userId,
      familyId,
      tokenHash: hashRefreshToken(token),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlS * 1000),
    });
    return token;
  }
}
