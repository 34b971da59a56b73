import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Page } from '@bank/contracts/pagination';
import type { SecurityEventListQuery, SecurityEventType, SecurityEventView } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import { OutboxService } from '@bank/outbox/outbox.service';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';

export interface SecurityEventInput {
  userId?: string | null;
  ip?: string | null;
  /** What happened, for admins: never a password, PIN, token or key. */
  detail?: Record<string, unknown>;
}

interface SecurityEventRow {
  id: string;
  type: SecurityEventType;
  user_id: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  created_at: Date;
}

function toView(row: SecurityEventRow): SecurityEventView {
  return { id: String(row.id), type: row.type, userId: row.user_id, ip: row.ip, detail: row.detail, createdAt: new Date(row.created_at).toISOString() };
}

/**
 * The security trail: every event stored (append-only) and pushed live to admins through the
 * outbox, in the transaction of whatever caused it.
 */
@Injectable()
export class SecurityEventsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
  ) {}

  async record(type: SecurityEventType, input: SecurityEventInput = {}): Promise<SecurityEventView> {
    return this.em.transactional(async (em) => {
      const [row] = await em.execute<SecurityEventRow[]>('insert into security_events (type, user_id, ip, detail) values (?, ?, ?, ?::jsonb) returning *', [
        type,
        input.userId ?? null,
        input.ip ?? null,
        JSON.stringify(input.detail ?? {}),
      ]);
      const view = toView(row);
      await this.outbox.append([{ recipient: 'role:admin', type: 'security.event', data: view }]);
      return view;
    });
  }

  /** `user.locked` / `user.unlocked` to admins; every api process also cuts a locked user's sockets on it. */
  async announceUser(type: 'user.locked' | 'user.unlocked', user: UserView): Promise<void> {
    await this.outbox.append([{ recipient: 'role:admin', type, data: user }]);
  }

  async list(query: SecurityEventListQuery): Promise<Page<SecurityEventView>> {
    const cursor = decodeSeqCursor(query.cursor);
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.type) conditions.push('type = ?') && params.push(query.type);
    if (cursor !== null) conditions.push('id < ?') && params.push(cursor);
    const rows = await this.em.execute<SecurityEventRow[]>(
      `select * from security_events ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by id desc limit ?`,
      [...params, query.limit + 1],
    );
    const items = rows.slice(0, query.limit).map(toView);
    return { items, nextCursor: rows.length > query.limit ? encodeSeqCursor(Number(items[items.length - 1].id)) : null };
  }
}
