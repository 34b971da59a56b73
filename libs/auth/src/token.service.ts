import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import type { Role } from '@bank/contracts/users';
import { TokenInvalid, TokenReused } from '@bank/problems/domain-error';
import { SecurityTrail } from './security-trail';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { JWT_ALGORITHM, JWT_ISSUER, type AccessTokenClaims, type AuthenticatedUser, type VerifiedAccessToken } from './access-token';

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

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
    private readonly security: SecurityTrail,
  ) {}

  get accessTokenTtlS(): number {
    return this.config.accessTokenTtlS;
  }

  signAccessToken(user: AuthenticatedUser): Promise<string> {
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, typ: 'access' };
    return this.jwt.signAsync(claims, { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, expiresIn: this.config.accessTokenTtlS });
  }

  async verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER });
    } catch {
      throw new TokenInvalid();
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.role !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
      throw new TokenInvalid();
    }
    return { id: claims.sub, role: claims.role as Role, issuedAtS: claims.iat, expiresAtMs: claims.exp * 1000 };
  }

  /** Starts a new family: a login. */
  async issueRefreshToken(userId: string): Promise<string> {
    const token = this.newRefreshToken(userId, randomUUID());
    await this.refreshTokens.flush();
    return token;
  }

  /**
   * Spends a refresh token and issues its successor in the same family, in one transaction that
   * holds the old token's row lock: a concurrent use of the same token waits, then finds it used
   * and revokes the family, successor included.
   */
  async rotateRefreshToken(token: string, ip: string | null = null): Promise<RotatedRefreshToken> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.em.transactional(async () => {
      const row = await this.refreshTokens.findForUpdate(tokenHash);
      if (!row) return { kind: 'invalid' as const };
      if (row.usedAt) {
        await this.refreshTokens.revokeFamily(row.familyId);
        await this.security.record('token.reused', { userId: row.userId, ip, detail: { familyId: row.familyId } });
        return { kind: 'reused' as const };
      }
      if (row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      this.refreshTokens.markUsed(row);
      const next = this.newRefreshToken(row.userId, row.familyId);
      return { kind: 'rotated' as const, userId: row.userId, familyId: row.familyId, token: next };
    });
    if (outcome.kind === 'reused') throw new TokenReused();
    if (outcome.kind === 'invalid') throw new TokenInvalid('The refresh token is invalid, expired or revoked.');
    return { userId: outcome.userId, familyId: outcome.familyId, token: outcome.token };
  }

  revokeFamily(familyId: string): Promise<void> {
    return this.refreshTokens.revokeFamily(familyId);
  }

  /** How many sessions (refresh-token families still usable) the user has now. */
  liveSessionCount(userId: string): Promise<number> {
    return this.refreshTokens.countLiveFamilies(userId);
  }

  /** Logout: revokes the family of a token, if it is one of this user's. */
  async revokeFamilyOfToken(userId: string, token: string): Promise<void> {
    const row = await this.refreshTokens.findOwned(hashRefreshToken(token), userId);
    if (row) await this.revokeFamily(row.familyId);
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
