import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** The mfa_challenges table (migration Mfa): the mfaTokens of password sign-ins awaiting their second factor. */
@Injectable()
export class MfaChallengesRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores a challenge; the user's spent and expired ones go at the same time (a user's rows stay few). */
  async add(tokenHash: string, userId: string, nowMs: number, expiresAtMs: number): Promise<void> {
    await this.em.execute('delete from mfa_challenges where user_id = ? and (used_at is not null or expires_at <= ?)', [userId, new Date(nowMs)]);
    await this.em.execute('insert into mfa_challenges (token_hash, user_id, expires_at) values (?, ?, ?)', [tokenHash, userId, new Date(expiresAtMs)]);
  }

  /** The user of an unspent challenge that has not expired at `nowMs`. */
  async findLive(tokenHash: string, nowMs: number): Promise<string | null> {
    const [row] = await this.em.execute<Array<{ user_id: string }>>('select user_id from mfa_challenges where token_hash = ? and used_at is null and expires_at > ?', [
      tokenHash,
      new Date(nowMs),
    ]);
    return row?.user_id ?? null;
  }

  /** Spends it, once: false when it was spent already (a concurrent verify won) or has expired. */
  async redeem(tokenHash: string, nowMs: number): Promise<boolean> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      'update mfa_challenges set used_at = ? where token_hash = ? and used_at is null and expires_at > ? returning user_id',
      [new Date(nowMs), tokenHash, new Date(nowMs)],
    );
    return rows.length > 0;
  }
}
