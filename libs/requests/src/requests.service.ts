import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { Page } from '@bank/contracts/pagination';
import {
  canTransition,
  CUSTOMER_INPUT_TYPES,
  OPEN_REQUEST_STATUSES,
  REQUEST_DETAILS_SCHEMAS,
  SUBMIT_SCHEMAS,
  type CreateRequest,
  type RequestListQuery,
  type RequestStatus,
  type RequestType,
  type RequestView,
} from '@bank/contracts/requests';
import { AccountsService } from '@bank/accounts/accounts.service';
import { UsersService } from '@bank/users/users.service';
import { Forbidden, NotFound, ValidationFailed } from '@bank/problems/domain-error';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { minorUnits } from '@bank/db/minor-units';
import { RequestJobsProducer } from './request-jobs.producer';
import { toRequestView, type HistoryRow, type RequestRow } from './request-row';
import { InvalidStateTransition } from './requests.errors';
import { RequestsRepository, type RequestMove } from './requests.repository';
import { SqlPool } from '@bank/db/sql-pool';
import { IdempotentCalls, type OnceResult } from '@bank/idempotency/idempotent-calls';

interface Transition {
  from: RequestStatus[];
  to: RequestStatus;
  /** Who moves it (null: the system), and the note kept in the history. */
  actorId: string | null;
  note?: string | null;
  /** The verb for the 409 answer when the request is no longer in a `from` status. */
  action: string;
  /** Only this employee may make the move (the one who claimed it); anyone else gets 403. */
  assigneeId?: string;
  /** Only this owner may make the move; for anyone else the request does not exist (404). */
  ownerId?: string;
  /** The move needs the input window open, or passed. */
  window?: 'open' | 'passed';
  /** A request of one of these types moves to `to` instead, its input window open `windowS` seconds. */
  awaitInput?: { types: readonly RequestType[]; to: RequestStatus; windowS: number };
  /** A request of one of these types whose account holds money gets this note (and resolution). */
  flagNonEmptyAccount?: { types: readonly RequestType[]; note: string };
  set?: { assigneeId?: string | null; resolution?: string | null };
}

export interface SweepResult {
  requeued: number;
  expired: number;
}

const EXPIRED_RESOLUTION = 'The input window passed without the customer’s input.';

/** Thrown inside the fulfilment transaction to roll back a completion whose effect was refused. */
class EffectRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Service requests and the state machine that is the only way their status changes: each move is
 * one call that updates the row under its lock only from the statuses the move may leave, so of
 * two racing employees exactly one wins; it is recorded in the history and announced through the
 * outbox in the same transaction.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: RequestsRepository,
    private readonly sql: SqlPool,
    private readonly idempotent: IdempotentCalls,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly jobs: RequestJobsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new request in `submitted`, its history and events in one statement (`request_create`), then
   * its triage job. With an Idempotency-Key the same request again answers the first (and files
   * nothing): a client that timed out can retry without filing twice.
   */
  async create(ownerId: string, request: CreateRequest, idempotencyKey?: string): Promise<OnceResult<RequestView>> {
    const details = REQUEST_DETAILS_SCHEMAS[request.type].parse(request.details) as Record<string, unknown>;
    const accountId = request.accountId ?? null;
    const file = async () => {
      const created = await this.repository.create(request.type, ownerId, accountId, details);
      if (!created) throw new NotFound('The account');
      return created;
    };
    const result = idempotencyKey
      ? await this.sql.transaction(() => this.idempotent.once(ownerId, idempotencyKey, { op: 'service_request', type: request.type, accountId, details }, 202, file))
      : { body: await file(), replayed: false };
    if (!result.replayed) await this.jobs.enqueue('triage', result.body.id);
    return result;
  }

  async list(caller: AuthenticatedUser, query: RequestListQuery): Promise<Page<RequestView>> {
    const cursor = decodeSeqCursor(query.cursor);
    // Employees work the queue oldest first; customers and admins read newest first.
    const oldestFirst = caller.role === 'employee';
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (caller.role === 'customer') {
      conditions.push('owner_id = ?');
      params.push(caller.id);
    }
    if (query.status) {
      conditions.push('status = ?');
      params.push(query.status);
    }
    if (cursor !== null) {
      conditions.push(oldestFirst ? 'seq > ?' : 'seq < ?');
      params.push(cursor);
    }
    const rows = await this.em.execute<RequestRow[]>(
      `select * from service_requests ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by seq ${oldestFirst ? 'asc' : 'desc'} limit ?`,
      [...params, query.limit + 1],
    );
    const items = rows.slice(0, query.limit);
    return { items: items.map((row) => toRequestView(row)), nextCursor: rows.length > query.limit ? encodeSeqCursor(minorUnits(items[items.length - 1].seq)) : null };
  }

  async get(caller: AuthenticatedUser, id: string): Promise<RequestView> {
    const row = await this.visibleTo(caller, id);
    const history = await this.em.execute<HistoryRow[]>('select from_status, to_status, actor_id, note, at from service_request_history where request_id = ? order by id', [id]);
    return toRequestView(row, history);
  }

  cancel(caller: AuthenticatedUser, id: string): Promise<RequestView> {
    return this.transition(id, { from: ['submitted', 'pending_review'], to: 'cancelled', actorId: caller.id, ownerId: caller.id, action: 'cancelled' });
  }

  claim(employee: AuthenticatedUser, id: string): Promise<RequestView> {
    return this.transition(id, { from: ['pending_review'], to: 'in_review', actorId: employee.id, action: 'claimed', set: { assigneeId: employee.id } });
  }

  /** Approval; the types that need the customer's own input wait for it instead, with a deadline. */
  async approve(employee: AuthenticatedUser, id: string, note: string | undefined): Promise<RequestView> {
    const windowS = this.config.requestInputWindowS;
    const updated = await this.transition(id, {
      from: ['in_review'],
      to: 'approved',
      actorId: employee.id,
      note: note ?? null,
      action: 'approved',
      assigneeId: employee.id,
      awaitInput: { types: CUSTOMER_INPUT_TYPES, to: 'awaiting_customer', windowS },
    });
    if (updated.status === 'awaiting_customer') await this.jobs.enqueue('expiry', id, windowS * 1000);
    else await this.jobs.enqueue('fulfilment', id);
    return updated;
  }

  reject(employee: AuthenticatedUser, id: string, reason: string): Promise<RequestView> {
    return this.transition(id, { from: ['in_review'], to: 'rejected', actorId: employee.id, note: reason, action: 'rejected', assigneeId: employee.id, set: { resolution: reason } });
  }

  /**
   * The owner's secret input for `card_pin_reset` / `name_change`. It is applied here, in the
   * transaction that moves the request to `approved` while its window is open, and written nowhere
   * else — not in the request, its history, the events, the logs or a job — so no employee can
   * read it. The fulfilment job then completes the request.
   */
  async submitInput(owner: AuthenticatedUser, id: string, body: Record<string, unknown>, idempotencyKey?: string): Promise<OnceResult<RequestView>> {
    const give = () => this.giveInput(owner, id, body);
    let result: OnceResult<RequestView>;
    try {
      // The input itself stays out of the key's fingerprint (a digest of a 4-digit PIN is no secret).
      result = idempotencyKey
        ? await this.sql.transaction(() => this.idempotent.once(owner.id, idempotencyKey, { op: 'request_input', requestId: id }, 202, give))
        : { body: await this.sql.transaction(give), replayed: false };
    } catch (error) {
      // A window that has just passed: expire it now rather than wait for the job.
      if (error instanceof InvalidStateTransition && (await this.expire(id))) throw new InvalidStateTransition('expired', 'given input');
      throw error;
    }
    if (!result.replayed) await this.jobs.enqueue('fulfilment', id);
    return result;
  }

  /** The checks, then the move to `approved` with the input applied — in the caller's transaction. */
  private async giveInput(owner: AuthenticatedUser, id: string, body: Record<string, unknown>): Promise<RequestView> {
    const row = await this.visibleTo(owner, id);
    if (row.owner_id !== owner.id) throw new NotFound('The request');
    if (row.status !== 'awaiting_customer' || (row.type !== 'card_pin_reset' && row.type !== 'name_change')) throw new InvalidStateTransition(row.status, 'given input');
    const applyInput = await this.prepareInput(row.type, row.owner_id, body);
    const approved = await this.transition(id, { from: ['awaiting_customer'], to: 'approved', actorId: owner.id, ownerId: owner.id, action: 'given input', window: 'open' });
    await applyInput();
    return approved;
  }

  /** Expiry job and sweep: an `awaiting_customer` request whose window has passed becomes `expired`. */
  async expire(id: string): Promise<boolean> {
    try {
      await this.transition(id, {
        from: ['awaiting_customer'],
        to: 'expired',
        actorId: null,
        action: 'expired',
        window: 'passed',
        set: { resolution: EXPIRED_RESOLUTION },
      });
      return true;
    } catch (error) {
      if (error instanceof InvalidStateTransition || error instanceof NotFound) return false;
      throw error;
    }
  }

  /**
   * The worker's backstop for jobs Redis lost (flushed, restarted, an enqueue that failed):
   * requests that sat in `submitted` or `approved` too long get their job again, and windows that
   * passed without their expiry job are closed.
   */
  async sweep(): Promise<SweepResult> {
    const stuck = await this.em.execute<Array<{ id: string; status: RequestStatus }>>(
      `select id, status from service_requests where status in ('submitted', 'approved') and updated_at < now() - make_interval(secs => ?) order by updated_at limit 1000`,
      [this.config.requestSweepAfterS],
    );
    let requeued = 0;
    for (const { id, status } of stuck) if (await this.jobs.requeue(status === 'submitted' ? 'triage' : 'fulfilment', id)) requeued++;
    const overdue = await this.em.execute<Array<{ id: string }>>(`select id from service_requests where status = 'awaiting_customer' and expires_at <= now() order by expires_at limit 1000`);
    let expired = 0;
    for (const { id } of overdue) if (await this.expire(id)) expired++;
    return { requeued, expired };
  }

  async countOpen(): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>('select count(*) as n from service_requests where status in (?)', [[...OPEN_REQUEST_STATUSES]]);
    return Number(row.n);
  }

  /** Triage job: checks the request against its account and queues it for review. Idempotent. */
  async triage(id: string): Promise<void> {
    try {
      await this.transition(id, {
        from: ['submitted'],
        to: 'pending_review',
        actorId: null,
        action: 'triaged',
        flagNonEmptyAccount: { types: ['account_closure'], note: 'flagged: the account balance is not zero, so closing it will fail unless it is emptied first' },
      });
    } catch (error) {
      if (!(error instanceof InvalidStateTransition) && !(error instanceof NotFound)) throw error; // cancelled meanwhile, or a job for no request
    }
  }

  /**
   * Fulfilment job: completes an approved request and applies its effect with system rights, in
   * one transaction under the request's row lock — so a job run twice applies the effect once (the
   * second finds it no longer `approved`). An effect that cannot be applied rolls the completion
   * back, and the request fails with the reason instead.
   */
  async fulfil(id: string): Promise<void> {
    let refusal: string | null = null;
    await this.sql
      .transaction(async () => {
        let completed: RequestView;
        try {
          completed = await this.transition(id, { from: ['approved'], to: 'completed', actorId: null, action: 'completed' });
        } catch (error) {
          if (error instanceof InvalidStateTransition || error instanceof NotFound) return; // decided already
          throw error;
        }
        refusal = await this.applyEffect(completed);
        if (refusal !== null) throw new EffectRefused(refusal);
      })
      .catch((error: unknown) => {
        if (!(error instanceof EffectRefused)) throw error;
      });
    if (refusal !== null) await this.failAfterRetries(id, refusal);
  }

  /** After the last retry, or an effect refused: the request is `failed` with the reason, never stuck silently. */
  async failAfterRetries(id: string, reason: string): Promise<void> {
    try {
      await this.transition(id, { from: ['approved'], to: 'failed', actorId: null, note: reason, action: 'failed', set: { resolution: reason } });
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error;
    }
  }

  /** Returns a reason if the effect cannot be applied (the request then fails), null when done. */
  private async applyEffect(request: RequestView): Promise<string | null> {
    const accountId = request.accountId!;
    switch (request.type) {
      case 'kyc_update': {
        const details = REQUEST_DETAILS_SCHEMAS.kyc_update.parse(request.details);
        await this.users.updateContact(request.ownerId, details);
        return null;
      }
      case 'limit_increase':
        await this.accounts.setDailyLimit(accountId, REQUEST_DETAILS_SCHEMAS.limit_increase.parse(request.details).dailyLimit);
        return null;
      case 'account_freeze':
        await this.accounts.setFrozen(accountId, true);
        return null;
      case 'account_unfreeze':
        await this.accounts.setFrozen(accountId, false);
        return null;
      case 'account_closure':
        return (await this.accounts.closeIfEmpty(accountId)) ? null : 'The account balance is not zero: empty it before closing.';
      case 'card_pin_reset':
      case 'name_change':
        return null; // applied when the owner submitted the input (submitInput)
    }
  }

  /** Validates the input for the request's type and does the slow part (hashing) before any lock. */
  private async prepareInput(type: 'card_pin_reset' | 'name_change', ownerId: string, body: Record<string, unknown>): Promise<() => Promise<void>> {
    const parsed = SUBMIT_SCHEMAS[type].safeParse(body);
    if (!parsed.success) throw new ValidationFailed(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })));
    const input = parsed.data as { pin?: string; fullName?: string };
    if (type === 'card_pin_reset') {
      const pinHash = await this.accounts.hashPin(input.pin!);
      return () => this.accounts.resetCardPin(ownerId, pinHash);
    }
    return () => this.users.rename(ownerId, input.fullName!);
  }

  private async visibleTo(caller: AuthenticatedUser, id: string): Promise<RequestRow> {
    const row = await this.repository.find(id);
    if (!row || (caller.role === 'customer' && row.owner_id !== caller.id)) throw new NotFound('The request');
    return row;
  }

  /**
   * The one way a status changes: one call of `request_transition`, which under the request's row
   * lock checks the move against the row (the status it leaves, the assignee, the owner, the input
   * window), updates it, and records the history row and the outbox events — in the caller's
   * transaction if there is one, else in its own.
   */
  private async transition(id: string, move: Transition): Promise<RequestView> {
    for (const status of move.from) if (!canTransition(status, move.to)) throw new Error(`illegal transition in code: ${status} → ${move.to}`);
    const change = move.set ?? {};
    const request: RequestMove = {
      from: move.from,
      to: move.to,
      actorId: move.actorId,
      note: move.note ?? null,
      ...(move.ownerId ? { ownerId: move.ownerId } : {}),
      ...(move.assigneeId ? { assigneeId: move.assigneeId } : {}),
      ...(move.window ? { window: move.window } : {}),
      ...(move.awaitInput ? { awaitInput: move.awaitInput } : {}),
      ...(move.flagNonEmptyAccount ? { flagNonEmptyAccount: move.flagNonEmptyAccount } : {}),
      ...(change.assigneeId !== undefined ? { setAssigneeId: change.assigneeId } : {}),
      ...(change.resolution !== undefined ? { setResolution: change.resolution } : {}),
    };
    const outcome = await this.repository.transition(id, request);
    if (outcome.moved) return outcome.request;
    if (outcome.current === null) throw new NotFound('The request');
    if (move.assigneeId && move.from.includes(outcome.current) && outcome.assigneeId !== move.assigneeId) {
      throw new Forbidden('Only the employee who claimed the request can decide it.');
    }
    throw new InvalidStateTransition(outcome.current, move.action);
  }
}
