import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

export interface SessionRow {
  id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_used_at: Date;
}

/** What is kept of a user agent: enough to tell devices apart, bounded. */
const USER_AGENT_MAX_CHARS = 512;

/**
 * The sessions table: one row per refresh-token family (same id). Every call joins the caller's
 * transaction, if any. A session ends with `revoked_at`; its refresh tokens are revoked with it.
 */
@Injectable()
export class SessionsRepository {
  constructor(private readonly em: EntityManager) {}

  async insert(session: { id: string; userId: string; userAgent: string | null; ip: string | null }): Promise<void> {
    await this.em.execute('insert into sessions (id, user_id, user_agent, ip) values (?, ?, ?, ?)', [
      session.id,
      session.userId,
      session.userAgent?.slice(0, USER_AGENT_MAX_CHARS) ?? null,
      session.ip,
    ]);
  }

  /** A refresh: the session was used now, from this address (kept when unknown). */
  async touch(sessionId: string, ip: string | null): Promise<void> {
    await this.em.execute('update sessions set last_used_at = now(), ip = coalesce(?, ip) where id = ?', [ip, sessionId]);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    const [row] = await this.em.execute<Array<{ revoked: boolean }>>('select revoked_at is not null as revoked from sessions where id = ?', [sessionId]);
    return row?.revoked ?? true;
  }

  /** The user's sessions that can still be refreshed, most recently used first. */
  live(userId: string): Promise<SessionRow[]> {
    return this.em.execute<SessionRow[]>(
      `select s.id, s.user_agent, s.ip, s.created_at, s.last_used_at from sessions s
        where s.user_id = ? and s.revoked_at is null
          and exists (select 1 from refresh_tokens t where t.family_id = s.id and t.used_at is null and t.revoked_at is null and t.expires_at > now())
        order by s.last_used_at desc, s.id`,
      [userId],
    );
  }

  /**
   * Ends the user's sessions that are still open: the listed ones, or every one but `exceptId`
   * (`exceptId` null: all). Their refresh tokens first, then the sessions, the order a refresh
   * takes its locks in (no deadlock with a rotation in flight). Answers the ids ended now.
   */
  async revoke(userId: string, which: { ids: readonly string[] } | { exceptId: string | null }): Promise<string[]> {
    const [condition, params] = 'ids' in which ? ['id in (?)', [which.ids]] : ['id is distinct from ?', [which.exceptId]];
    if ('ids' in which && which.ids.length === 0) return [];
    // Two revocations of one user's sessions at once (sign-out-others from two devices) take turns
    // rather than lock the same refresh tokens in different orders.
    await this.em.execute(`select pg_advisory_xact_lock(hashtext('sessions:' || ?))`, [userId]);
    await this.em.execute(
      `update refresh_tokens set revoked_at = now() where revoked_at is null and family_id in (select id from sessions where user_id = ? and ${condition})`,
      [userId, ...params],
    );
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update sessions set revoked_at = now() where user_id = ? and revoked_at is null and ${condition} returning id`,
      [userId, ...params],
    );
    return rows.map((row) => row.id);
  }

  /** Sessions revoked within the last `withinS` seconds, with when (epoch ms). Runs outside any request (at start). */
  async revokedWithin(withinS: number): Promise<Array<{ id: string; revokedAtMs: number }>> {
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string; revoked_at_ms: string }>>(
        `select id, floor(extract(epoch from revoked_at) * 1000)::bigint as revoked_at_ms from sessions where revoked_at > now() - make_interval(secs => ?)`,
        [withinS],
      );
    return rows.map((row) => ({ id: row.id, revokedAtMs: Number(row.revoked_at_ms) }));
  }
}
