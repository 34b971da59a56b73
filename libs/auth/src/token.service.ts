import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import type { Role } from '@bank/contracts/users';
import { TokenInvalid, TokenReused } from '@bank/problems/domain-error';
import { SecurityEventsService } from '@bank/security/security-events.service';
import { RefreshToken } from './entities/refresh-token.entity';
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
    private readonly security: SecurityEventsService,
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
    const token = this.newRefreshToken(this.em, userId, randomUUID());
    await this.em.flush();
    return token;
  }

  /**
   * Spends a refresh token and issues its successor in the same family, in one transaction that
   * holds the old token's row lock: a concurrent use of the same token waits, then finds it used
   * and revokes the family, successor included.
   */
  async rotateRefreshToken(token: string, ip: string | null = null): Promise<RotatedRefreshToken> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.em.transactional(async (em) => {
      const row = await em.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return { kind: 'invalid' as const };
      if (row.usedAt) {
        await this.revokeFamilyIn(em, row.familyId);
        await this.security.record('token.reused', { userId: row.userId, ip, detail: { familyId: row.familyId } });
        return { kind: 'reused' as const };
      }
      if (row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      row.usedAt = new Date();
      const next = this.newRefreshToken(em, row.userId, row.familyId);
      return { kind: 'rotated' as const, userId: row.userId, familyId: row.familyId, token: next };
    });
    if (outcome.kind === 'reused') throw new TokenReused();
    if (outcome.kind === 'invalid') throw new TokenInvalid('The refresh token is invalid, expired or revoked.');
    return { userId: outcome.userId, familyId: outcome.familyId, token: outcome.token };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.revokeFamilyIn(this.em, familyId);
  }

  /** Logout: revokes the family of a token, if it is one of this user's. */
  async revokeFamilyOfToken(userId: string, token: string): Promise<void> {
    const row = await this.em.findOne(RefreshToken, { tokenHash: hashRefreshToken(token), userId });
    if (row) await this.revokeFamily(row.familyId);
  }

  private newRefreshToken(em: EntityManager, userId: string, familyId: string): string {
    const token = randomBytes(32).toString('base64url');
    em.create(RefreshToken, {
      userId,
      familyId,
      tokenHash: hashRefreshToken(token),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlS * 1000),
    });
    return token;
  }

  private async revokeFamilyIn(em: EntityManager, familyId: string): Promise<void> {
    await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }
}
