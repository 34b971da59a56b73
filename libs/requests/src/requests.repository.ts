import { Injectable } from '@nestjs/common';
import type { RequestStatus, RequestType, RequestView } from '@bank/contracts/requests';
import { SqlPool } from '@bank/db/sql-pool';
import type { RequestRow } from './request-row';

/** A move as `request_transition` takes it (migration RequestTransitions). */
export interface RequestMove {
  from: readonly RequestStatus[];
  to: RequestStatus;
  actorId: string | null;
  note: string | null;
  ownerId?: string;
  assigneeId?: string;
  window?: 'open' | 'passed';
  awaitInput?: { types: readonly RequestType[]; to: RequestStatus; windowS: number };
  flagNonEmptyAccount?: { types: readonly RequestType[]; note: string };
  setAssigneeId?: string | null;
  setResolution?: string | null;
}

/** What `request_transition` answers: the moved request, or why not (null: no such request for that owner). */
export type TransitionOutcome = { moved: true; request: RequestView } | { moved: false; current: RequestStatus | null; assigneeId?: string | null };

const CREATE = { name: 'request-create', text: 'select request_create($1, $2, $3, $4::jsonb) as created' };
const TRANSITION = { name: 'request-transition', text: 'select request_transition($1, $2::jsonb) as outcome' };
const FIND = { name: 'request-find', text: 'select * from service_requests where id = $1' };

/** The pipeline's statements: each one call of a SQL function, one round trip (see SqlPool). */
@Injectable()
export class RequestsRepository {
  constructor(private readonly sql: SqlPool) {}

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
}
