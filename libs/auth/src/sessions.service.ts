import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { SessionView } from '@bank/contracts/auth';
import { userRecipient } from '@bank/contracts/events';
import { OutboxService } from '@bank/outbox/outbox.service';
import { NotFound } from '@bank/problems/domain-error';
import { SessionsRepository, type SessionRow } from './sessions.repository';
import { TokenService } from './token.service';
import { TokenRevocations } from './token-revocations';
import { SecurityTrail } from './security-trail';
import { SecurityNotices } from './security-notices';
import type { SignInOrigin } from './sign-in-watch';

function toView(row: SessionRow, currentId: string): SessionView {
  return {
    id: row.id,
    current: row.id === currentId,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: new Date(row.last_used_at).toISOString(),
  };
}

/** Why sessions end, as the security trail records it. */
export type SessionEndReason = 'signed out elsewhere' | 'signed out everywhere else' | 'password changed' | 'signed out' | 'refresh token reused';

/**
 * Sessions (DESIGN.md "Notifications and sessions"): one per refresh-token family, started by a
 * sign-in; access tokens carry its id (`sid`). Ending one revokes its refresh tokens and, through
 * `session.revoked` in the same transaction, makes every api process refuse its access tokens
 * and cut its sockets (this process at once, after the commit).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenService,
    private readonly revocations: TokenRevocations,
    private readonly outbox: OutboxService,
    private readonly security: SecurityTrail,
    private readonly notices: SecurityNotices,
  ) {}

  /** A new session and its first refresh token, in the caller's transaction. */
  async start(userId: string, origin: SignInOrigin): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    await this.sessions.insert({ id: sessionId, userId, userAgent: origin.userAgent, ip: origin.ip });
    const refreshToken = this.tokens.startFamily(userId, sessionId);
    await this.tokens.flush();
    return { sessionId, refreshToken };
  }

  /** The user's open sessions, most recently used first; `current` marks the caller's. */
  async list(userId: string, currentId: string): Promise<SessionView[]> {
    return (await this.sessions.live(userId)).map((row) => toView(row, currentId));
  }

  /** Ends one of the user's own sessions; anyone else's (or one already ended) is 404 like one that does not exist. */
  async revoke(userId: string, sessionId: string, ip: string | null): Promise<void> {
    const ended = await this.em.transactional(async () => {
      const ids = await this.end(userId, { ids: [sessionId] }, 'signed out elsewhere', ip);
      if (ids.length > 0) {
        await this.notices.notify(userId, {
          kind: 'security.session_revoked',
          title: 'A session was signed out',
          body: 'One of your sessions was signed out from your Security page. If this was not you, change your password.',
          link: { type: 'session', id: sessionId },
        });
      }
      return ids;
    });
    if (ended.length === 0) throw new NotFound('The session');
    this.applyHere(userId, ended);
  }

  /** Ends every session of the user but `keepId` (one notification for all of them); answers how many ended. */
  async revokeOthers(userId: string, keepId: string, ip: string | null): Promise<number> {
    const ended = await this.em.transactional(async () => {
      const ids = await this.end(userId, { exceptId: keepId }, 'signed out everywhere else', ip);
      if (ids.length > 0) {
        await this.notices.notify(userId, {
          kind: 'security.session_revoked',
          title: ids.length === 1 ? 'Another session was signed out' : `${ids.length} other sessions were signed out`,
          body: 'You signed out everywhere else from your Security page. If this was not you, change your password.',
          link: null,
        });
      }
      return ids;
    });
    this.applyHere(userId, ended);
    return ended.length;
  }

  /**
   * Inside the caller's transaction: ends the sessions, with a `session.revoked` security event
   * and live event for each. The caller notifies the user as fits its cause, and applies the
   * answer here after its commit (`applyHere`).
   */
  async end(userId: string, which: { ids: readonly string[] } | { exceptId: string | null }, reason: SessionEndReason, ip: string | null): Promise<string[]> {
    const ended = await this.sessions.revoke(userId, which);
    // A plain sign-out is the user's own everyday act, not something for the admins' threat feed;
    // a reused refresh token is in it already (token.reused).
    if (reason !== 'signed out' && reason !== 'refresh token reused') {
      for (const sessionId of ended) await this.security.record('session.revoked', { userId, ip, detail: { sessionId, reason } });
    }
    if (ended.length > 0) await this.outbox.append(ended.map((sessionId) => ({ recipient: userRecipient(userId), type: 'session.revoked' as const, data: { sessionId } })));
    return ended;
  }

  /**
   * Every session of the user, silently (an admin's lock: `tokens.revoked` ends their access
   * tokens, and the trail has the lock). In the caller's transaction.
   */
  endAll(userId: string): Promise<string[]> {
    return this.sessions.revoke(userId, { exceptId: null });
  }

  /** After the commit: this process refuses the ended sessions' tokens at once (the others when `session.revoked` reaches them). */
  applyHere(userId: string, sessionIds: readonly string[]): void {
    for (const sessionId of sessionIds) this.revocations.sessionRevoked(userId, sessionId);
  }
}
