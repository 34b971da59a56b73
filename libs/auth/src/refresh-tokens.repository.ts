import { Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { RefreshToken } from './entities/refresh-token.entity';

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

/** The refresh_tokens table. Every call joins the caller's transaction, if any. */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stages a new token: written by the next flush (the transaction's commit, or `flush()`). */
  add(token: NewRefreshToken): void {
    this.em.create(RefreshToken, token);
  }

  async flush(): Promise<void> {
    await this.em.flush();
  }

  /** The token's row, locked until the transaction ends (a concurrent use of the same token waits). */
  findForUpdate(tokenHash: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  findOwned(tokenHash: string, userId: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash, userId });
  }

  /** Spent: written with the transaction's commit. */
  markUsed(token: RefreshToken): void {
    token.usedAt = new Date();
  }

  /** A user's live sessions: families with a token that is unspent, unrevoked and unexpired. */
  async countLiveFamilies(userId: string): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: number }>>(
      'select count(distinct family_id)::int as n from refresh_tokens where user_id = ? and used_at is null and revoked_at is null and expires_at > now()',
      [userId],
    );
    return row.n;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }
}
