import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Page } from '@bank/contracts/pagination';
import type { SecurityEventListQuery, SecurityEventType, SecurityEventView } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import type { SecurityEventInput, SecurityTrail } from '@bank/auth/security-trail';
import { OutboxService } from '@bank/outbox/outbox.service';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { SecurityEventsRepository, type AdminKeyScope, type SecurityEventRow } from './security-events.repository';

export type { AdminKeyScope } from './security-events.repository';

export interface AdminKeyFailures {
  scope: AdminKeyScope;
  failures: number;
  retryAfterS: number | null;
}

function toView(row: SecurityEventRow): SecurityEventView {
  return { id: String(row.id), type: row.type, userId: row.user_id, ip: row.ip, detail: row.detail, createdAt: new Date(row.created_at).toISOString() };
}

/**
 * The security trail: every event stored (append-only) and pushed live to admins through the
 * outbox, in the transaction of whatever caused it. Identity writes to it through the
 * SecurityTrail port this implements.
 */
@Injectable()
export class SecurityEventsService implements SecurityTrail {
  constructor(
    private readonly em: EntityManager,
    private readonly events: SecurityEventsRepository,
    private readonly outbox: OutboxService,
  ) {}

  async record(type: SecurityEventType, input: SecurityEventInput = {}): Promise<SecurityEventView> {
    return this.em.transactional(async () => {
      const view = toView(await this.events.insert(type, input));
      await this.outbox.append([{ recipient: 'role:admin', type: 'security.event', data: view }]);
      return view;
    });
  }

  /** `user.locked` / `user.unlocked` to admins; every api process also cuts a locked user's sockets on it. */
  async announceUser(type: 'user.locked' | 'user.unlocked', user: UserView): Promise<void> {
    await this.outbox.append([{ recipient: 'role:admin', type, data: user }]);
  }

  async list(query: SecurityEventListQuery): Promise<Page<SecurityEventView>> {
    const rows = await this.events.page(query.type, decodeSeqCursor(query.cursor), query.limit + 1);
    const items = rows.slice(0, query.limit).map(toView);
    return { items, nextCursor: rows.length > query.limit ? encodeSeqCursor(Number(items[items.length - 1].id)) : null };
  }

  /** One user's latest events, newest first. */
  async latestOfUser(userId: string, limit: number): Promise<SecurityEventView[]> {
    return (await this.events.latestOfUser(userId, limit)).map(toView);
  }

  /**
   * Wrong admin keys within the last `windowS` in each scope (at most `max` counted), and in how
   * many seconds the oldest of them leaves the window. Call it in a transaction: it first waits for
   * every other key attempt, so parallel guesses are counted one after another.
   */
  async adminKeyFailures(scopes: readonly AdminKeyScope[], windowS: number, max: number): Promise<AdminKeyFailures[]> {
    await this.events.lockAdminKeyAttempts();
    const counts: AdminKeyFailures[] = [];
    for (const scope of scopes) {
      const row = await this.events.adminKeyFailures(scope, windowS, max);
      counts.push({ scope, failures: row.failures, retryAfterS: row.retry_after });
    }
    return counts;
  }

  /** Users locked so far: `account.locked` in the trail (lockouts and admin locks). */
  countLockouts(): Promise<number> {
    return this.events.countOfType('account.locked');
  }
}
