import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestStatus, RequestType, RequestView } from '@bank/contracts/requests';
import { SqlPool } from '@bank/db/sql-pool';
import type { HistoryRow, RequestRow } from './request-row';

/** A move as `request_transition` takes it (migration RequestTransitions). */
export interface RequestMove {
  from: readonly RequestStatus[];
  to: RequestStatus;
  actorId: string | null;
  note: string | null;
  ownerId?: string;
  assigneeId?: string;
  notAssigneeId?: string;
  idleS?: number;
  window?: 'open' | 'passed';
  awaitInput?: { types: readonly RequestType[]; to: RequestStatus; windowS: number };
  flagNonEmptyAccount?: { types: readonly RequestType[]; note: string };
  setAssigneeId?: string | null;
  setResolution?: string | null;
}

/** What `request_transition` answers: the moved request, or why not (null: no such request for that owner). */
export type TransitionOutcome = { moved: true; request: RequestView } | { moved: false; current: RequestStatus | null; assigneeId?: string | null; windowPassed?: boolean };

/** Which requests a page holds and in which order; `seqPast` is the cursor's seq (the page starts after it in that order). */
export interface RequestPageQuery {
  ownerId?: string;
  status?: RequestStatus;
  type?: RequestType;
  /** A user id: requests assigned to them; null: requests assigned to nobody. */
  assigneeId?: string | null;
  seqPast: number | null;
  oldestFirst: boolean;
  limit: number;
}

/** A request the pipeline should have moved on by now (its job lost or never enqueued). */
export interface StuckRequestRow {
  id: string;
  status: RequestStatus;
}

const CREATE = { name: 'request-create', text: 'select request_create($1, $2, $3, $4::jsonb) as created' };
const TRANSITION = { name: 'request-transition', text: 'select request_transition($1, $2::jsonb) as outcome' };
const FIND = { name: 'request-find', text: 'select * from service_requests where id = $1' };

/**
 * The requests' SQL. The pipeline's statements (create, transition, find) are each one call of a
 * SQL function or one select, one round trip (see SqlPool); the reads for pages, history, the sweep
 * and the counts go through MikroORM's connection (the caller's request context).
 */
@Injectable()
export class RequestsRepository {
  constructor(
    private readonly sql: SqlPool,
    private readonly em: EntityManager,
  ) {}

  /** The new request's view, or null when it names an account that is not the owner's. */
  async create(type: RequestType, ownerId: string, accountId: string | null, details: Record<string, unknown>): Promise<RequestView | null> {
    const [{ created }] = await this.sql.query<{ created: RequestView | null }>(CREATE, [type, ownerId, accountId, JSON.stringify(details)]);
    return created;
  }

  async transition(id: string, move: RequestMove): Promise<TransitionOutcome> {
    const [{ outcome }] = await this.sql.query<{ outcome: TransitionOutcome }>(TRANSITION, [id, JSON.stringify(move)]);
    return outcome;
  }

  async find(id: string): Promise<RequestRow | undefined> {
    const [row] = await this.sql.query<RequestRow>(FIND, [id]);
    return row;
  }

  page(query: RequestPageQuery): Promise<RequestRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.ownerId !== undefined) {
      conditions.push('owner_id = ?');
      params.push(query.ownerId);
    }
    if (query.status) {
      conditions.push('status = ?');
      params.push(query.status);
    }
    if (query.type) {
      conditions.push('type = ?');
      params.push(query.type);
    }
    if (query.assigneeId === null) conditions.push('assignee_id is null');
    else if (query.assigneeId !== undefined) {
      conditions.push('assignee_id = ?');
      params.push(query.assigneeId);
    }
    if (query.seqPast !== null) {
      conditions.push(query.oldestFirst ? 'seq > ?' : 'seq < ?');
      params.push(query.seqPast);
    }
    return this.em.execute<RequestRow[]>(
      `select * from service_requests ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by seq ${query.oldestFirst ? 'asc' : 'desc'} limit ?`,
      [...params, query.limit],
    );
  }

  history(requestId: string): Promise<HistoryRow[]> {
    return this.em.execute<HistoryRow[]>('select from_status, to_status, actor_id, note, at from service_request_history where request_id = ? order by id', [requestId]);
  }

  /** Requests in `submitted` or `approved` untouched for `olderThanS` seconds, longest waiting first (1000 at most). */
  stuckInPipeline(olderThanS: number): Promise<StuckRequestRow[]> {
    return this.em.execute<StuckRequestRow[]>(
      `select id, status from service_requests where status in ('submitted', 'approved') and updated_at < now() - make_interval(secs => ?) order by updated_at limit 1000`,
      [olderThanS],
    );
  }

  /** Requests in `awaiting_customer` whose input window has passed, oldest deadline first (1000 at most). */
  async overdueForInput(): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(`select id from service_requests where status = 'awaiting_customer' and expires_at <= now() order by expires_at limit 1000`);
    return rows.map((row) => row.id);
  }

  /** Undecided transfer reviews whose hold's time to live has passed, oldest deadline first (1000 at most). */
  async overdueReviews(): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select id from service_requests where type = 'transfer_review' and status in ('submitted', 'pending_review', 'in_review') and expires_at <= now() order by expires_at limit 1000`,
    );
    return rows.map((row) => row.id);
  }

  /** Moves a request and its history `byS` seconds into the past (the demo's overdue requests). */
  async backdate(requestId: string, byS: number): Promise<void> {
    await this.em.execute(
      `with moved as (
         update service_requests set created_at = created_at - make_interval(secs => ?), updated_at = updated_at - make_interval(secs => ?) where id = ? returning id
       )
       update service_request_history set at = at - make_interval(secs => ?) where request_id in (select id from moved)`,
      [byS, byS, requestId, byS],
    );
  }

  /** Requests in review whose last move is older than `idleS` seconds, longest idle first (1000 at most). */
  async staleClaims(idleS: number): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select id from service_requests where status = 'in_review' and updated_at <= now() - make_interval(secs => ?) order by updated_at limit 1000`,
      [idleS],
    );
    return rows.map((row) => row.id);
  }

  async countInStatuses(statuses: readonly RequestStatus[]): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>('select count(*) as n from service_requests where status in (?)', [[...statuses]]);
    return Number(row.n);
  }
}
