import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { SecurityEventType } from '@bank/contracts/security';
import type { SecurityEventInput } from '@bank/auth/security-trail';

export interface SecurityEventRow {
  id: string;
  type: SecurityEventType;
  user_id: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  created_at: Date;
}

/** Where wrong admin keys are counted: by the admin, the user acted on (or the email of one being created), the client address. */
export type AdminKeyScope =
  | { kind: 'admin'; adminId: string }
  | { kind: 'target-user'; userId: string }
  | { kind: 'target-email'; email: string }
  | { kind: 'address'; ip: string };

function scopeCondition(scope: AdminKeyScope): [string, string] {
  switch (scope.kind) {
    case 'admin':
      return ['user_id = ?', scope.adminId];
    case 'target-user':
      return ["detail->>'targetUserId' = ?", scope.userId];
    case 'target-email':
      return ["detail->>'targetEmail' = ?", scope.email];
    case 'address':
      return ['ip = ?', scope.ip];
  }
}

/** Wrong keys in one scope within the window, and how long until the oldest of them leaves it. */
export interface AdminKeyFailuresRow {
  failures: number;
  retry_after: number | null;
}

/** The security_events table (append-only). Every statement joins the caller's transaction, if any. */
@Injectable()
export class SecurityEventsRepository {
  constructor(private readonly em: EntityManager) {}

  async insert(type: SecurityEventType, input: SecurityEventInput): Promise<SecurityEventRow> {
    const [row] = await this.em.execute<SecurityEventRow[]>('insert into security_events (type, user_id, ip, detail) values (?, ?, ?, ?::jsonb) returning *', [
      type,
      input.userId ?? null,
      input.ip ?? null,
      JSON.stringify(input.detail ?? {}),
    ]);
    return row;
  }

  /** Newest first, keyset-paged by id (below `beforeId`). */
  page(type: SecurityEventType | undefined, beforeId: number | null, limit: number): Promise<SecurityEventRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (type) conditions.push('type = ?') && params.push(type);
    if (beforeId !== null) conditions.push('id < ?') && params.push(beforeId);
    return this.em.execute<SecurityEventRow[]>(`select * from security_events ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by id desc limit ?`, [
      ...params,
      limit,
    ]);
  }

  /** One user's latest events, newest first (the `(user_id, id)` index). */
  latestOfUser(userId: string, limit: number): Promise<SecurityEventRow[]> {
    return this.em.execute<SecurityEventRow[]>('select * from security_events where user_id = ? order by id desc limit ?', [userId, limit]);
  }

  /**
   * Waits for every other admin-key attempt until the transaction ends (one transaction-scoped
   * advisory lock: attempts are rare, and one lock for all scopes cannot deadlock).
   */
  async lockAdminKeyAttempts(): Promise<void> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtext('admin-key-attempts'))`);
  }

  /** The latest `admin_key.failed` events of one scope within the window, at most `max` of them counted. */
  async adminKeyFailures(scope: AdminKeyScope, windowS: number, max: number): Promise<AdminKeyFailuresRow> {
    const [condition, value] = scopeCondition(scope);
    const [row] = await this.em.execute<AdminKeyFailuresRow[]>(
      `select count(*)::int as failures,
              ceil(extract(epoch from min(created_at) + make_interval(secs => ?) - now()))::int as retry_after
         from (select created_at from security_events
                where type = 'admin_key.failed' and ${condition} and created_at > now() - make_interval(secs => ?)
                order by created_at desc limit ?) recent`,
      [windowS, value, windowS, max],
    );
    return row;
  }

  /** Events of one type so far. Read at scrape time, outside any request: on the ORM's connection directly. */
  async countOfType(type: SecurityEventType): Promise<number> {
    const [row] = await this.em.getConnection().execute<Array<{ n: string }>>('select count(*) as n from security_events where type = ?', [type]);
    return Number(row?.n ?? 0);
  }
}
