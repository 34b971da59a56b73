import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { Page } from '@bank/contracts/pagination';
import { userRecipient } from '@bank/contracts/events';
import {
  canTransition,
  CUSTOMER_INPUT_TYPES,
  OPEN_REQUEST_STATUSES,
  REQUEST_DETAILS_SCHEMAS,
  SUBMIT_SCHEMAS,
  type CreateRequest,
  type RequestListQuery,
  type RequestStatus,
  type RequestView,
} from '@bank/contracts/requests';
import { AccountsService } from '@bank/accounts/accounts.service';
import { UsersService } from '@bank/users/users.service';
import { OutboxService, type OutboxEvent } from '@bank/outbox/outbox.service';
import { Forbidden, NotFound, ValidationFailed } from '@bank/problems/domain-error';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/ledger/page-cursor';
import { minorUnits } from '@bank/accounts/account-row';
import { RequestJobsProducer } from './request-jobs.producer';
import { toRequestView, type HistoryRow, type RequestRow } from './request-row';
import { InvalidStateTransition } from './requests.errors';

interface Transition {
  from: RequestStatus[];
  to: RequestStatus;
  /** Who moves it (null: the system), and the note kept in the history. */
  actorId: string | null;
  note?: string | null;
  /** The verb for the 409 answer when the request is no longer in a `from` status. */
  action: string;
  /** Only this employee may make the move (the one who claimed it). */
  assigneeId?: string;
  /** A further SQL condition on the request row `r`, e.g. that its input window is still open. */
  condition?: string;
  set?: { assigneeId?: string | null; resolution?: string | null; expiresAt?: Date | null };
}

export interface SweepResult {
  requeued: number;
  expired: number;
}

const EXPIRED_RESOLUTION = 'The input window passed without the customer’s input.';

/**
 * Service requests and the state machine that is the only way their status changes: each move is
 * one conditional UPDATE (from the statuses it may leave), so of two racing employees exactly one
 * wins; it is recorded in the history and announced through the outbox in the same transaction.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly jobs: RequestJobsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(ownerId: string, request: CreateRequest): Promise<RequestView> {
    if (request.accountId) await this.accounts.getOwned(request.accountId, ownerId);
    const details = REQUEST_DETAILS_SCHEMAS[request.type].parse(request.details) as Record<string, unknown>;
    const row = await this.em.transactional(async (em) => {
      const [created] = await em.execute<RequestRow[]>(
        `insert into service_requests (id, type, status, owner_id, account_id, details) values (gen_random_uuid(), ?, 'submitted', ?, ?, ?::jsonb) returning *`,
        [request.type, ownerId, request.accountId ?? null, JSON.stringify(details)],
      );
      await this.recordAndAnnounce(created, null, ownerId, null);
      return created;
    });
    await this.jobs.enqueue('triage', row.id);
    return toRequestView(row);
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

  async cancel(caller: AuthenticatedUser, id: string): Promise<RequestView> {
    const row = await this.visibleTo(caller, id);
    if (row.owner_id !== caller.id) throw new NotFound('The request');
    return toRequestView(await this.transition(id, { from: ['submitted', 'pending_review'], to: 'cancelled', actorId: caller.id, action: 'cancelled' }));
  }

  async claim(employee: AuthenticatedUser, id: string): Promise<RequestView> {
    await this.visibleTo(employee, id);
    return toRequestView(await this.transition(id, { from: ['pending_review'], to: 'in_review', actorId: employee.id, action: 'claimed', set: { assigneeId: employee.id } }));
  }

  /** Approval; the types that need the customer's own input wait for it, with a deadline. */
  async approve(employee: AuthenticatedUser, id: string, note: string | undefined): Promise<RequestView> {
    const row = await this.claimedBy(employee, id, 'approved');
    const decision = { from: ['in_review'] as RequestStatus[], actorId: employee.id, note: note ?? null, action: 'approved', assigneeId: employee.id };
    if (CUSTOMER_INPUT_TYPES.includes(row.type)) {
      const windowMs = this.config.requestInputWindowS * 1000;
      const updated = await this.transition(id, { ...decision, to: 'awaiting_customer', set: { expiresAt: new Date(Date.now() + windowMs) } });
      await this.jobs.enqueue('expiry', id, windowMs);
      return toRequestView(updated);
    }
    const updated = await this.transition(id, { ...decision, to: 'approved' });
    await this.jobs.enqueue('fulfilment', id);
    return toRequestView(updated);
  }

  async reject(employee: AuthenticatedUser, id: string, reason: string): Promise<RequestView> {
    await this.claimedBy(employee, id, 'rejected');
    return toRequestView(
      await this.transition(id, { from: ['in_review'], to: 'rejected', actorId: employee.id, note: reason, action: 'rejected', assigneeId: employee.id, set: { resolution: reason } }),
    );
  }

  /**
   * The owner's secret input for `card_pin_reset` / `name_change`. It is applied here, in the
   * transaction that moves the request to `approved` while its window is open, and written nowhere
   * else — not in the request, its history, the events, the logs or a job — so no employee can
   * read it. The fulfilment job then completes the request.
   */
  async submitInput(owner: AuthenticatedUser, id: string, body: Record<string, unknown>): Promise<RequestView> {
    const row = await this.visibleTo(owner, id);
    if (row.owner_id !== owner.id) throw new NotFound('The request');
    if (row.status !== 'awaiting_customer' || (row.type !== 'card_pin_reset' && row.type !== 'name_change')) throw new InvalidStateTransition(row.status, 'given input');
    const applyInput = await this.prepareInput(row.type, row.owner_id, body);
    let updated: RequestRow;
    try {
      updated = await this.em.transactional(async () => {
        const approved = await this.transition(id, { from: ['awaiting_customer'], to: 'approved', actorId: owner.id, action: 'given input', condition: 'r.expires_at > now()' });
        await applyInput();
        return approved;
      });
    } catch (error) {
      // A window that has just passed: expire it now rather than wait for the job.
      if (error instanceof InvalidStateTransition && (await this.expire(id))) throw new InvalidStateTransition('expired', 'given input');
      throw error;
    }
    await this.jobs.enqueue('fulfilment', id);
    return toRequestView(updated);
  }

  /** Expiry job and sweep: an `awaiting_customer` request whose window has passed becomes `expired`. */
  async expire(id: string): Promise<boolean> {
    try {
      await this.transition(id, {
        from: ['awaiting_customer'],
        to: 'expired',
        actorId: null,
        action: 'expired',
        condition: 'r.expires_at <= now()',
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
    const [row] = await this.em.execute<RequestRow[]>('select * from service_requests where id = ?', [id]);
    if (!row || row.status !== 'submitted') return;
    let note: string | null = null;
    if (row.type === 'account_closure' && row.account_id && (await this.accounts.balanceOf(row.account_id)) !== 0) {
      note = 'flagged: the account balance is not zero, so closing it will fail unless it is emptied first';
    }
    try {
      await this.transition(id, { from: ['submitted'], to: 'pending_review', actorId: null, note, action: 'triaged', set: note ? { resolution: note } : {} });
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error; // cancelled meanwhile
    }
  }

  /**
   * Fulfilment job: applies an approved request's effect with system rights and completes it, in
   * one transaction under the request's row lock — so a job run twice applies the effect once.
   */
  async fulfil(id: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const [row] = await em.execute<RequestRow[]>('select * from service_requests where id = ? for update', [id]);
      if (!row || row.status !== 'approved') return;
      const failure = await this.applyEffect(row);
      if (failure) await this.transition(id, { from: ['approved'], to: 'failed', actorId: null, note: failure, action: 'failed', set: { resolution: failure } });
      else await this.transition(id, { from: ['approved'], to: 'completed', actorId: null, action: 'completed' });
    });
  }

  /** After the last retry: the request is `failed` with the error, never stuck silently. */
  async failAfterRetries(id: string, reason: string): Promise<void> {
    try {
      await this.transition(id, { from: ['approved'], to: 'failed', actorId: null, note: reason, action: 'failed', set: { resolution: reason } });
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error;
    }
  }

  /** Returns a reason if the effect cannot be applied (the request then fails), null when done. */
  private async applyEffect(row: RequestRow): Promise<string | null> {
    const accountId = row.account_id!;
    switch (row.type) {
      case 'kyc_update': {
        const details = REQUEST_DETAILS_SCHEMAS.kyc_update.parse(row.details);
        await this.users.updateContact(row.owner_id, details);
        return null;
      }
      case 'limit_increase':
        await this.accounts.setDailyLimit(accountId, REQUEST_DETAILS_SCHEMAS.limit_increase.parse(row.details).dailyLimit);
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
    const [row] = await this.em.execute<RequestRow[]>('select * from service_requests where id = ?', [id]);
    if (!row || (caller.role === 'customer' && row.owner_id !== caller.id)) throw new NotFound('The request');
    return row;
  }

  private async claimedBy(employee: AuthenticatedUser, id: string, action: string): Promise<RequestRow> {
    const row = await this.visibleTo(employee, id);
    if (row.status !== 'in_review') throw new InvalidStateTransition(row.status, action);
    if (row.assignee_id !== employee.id) throw new Forbidden('Only the employee who claimed the request can decide it.');
    return row;
  }

  /**
   * The one way a status changes: a conditional UPDATE from the allowed statuses (and, when given,
   * the assignee and a further condition), the history row and the outbox events, in one transaction.
   */
  private async transition(id: string, move: Transition): Promise<RequestRow> {
    for (const status of move.from) if (!canTransition(status, move.to)) throw new Error(`illegal transition in code: ${status} → ${move.to}`);
    return this.em.transactional(async (em) => {
      const sets = ['status = ?', 'updated_at = now()'];
      const params: unknown[] = [move.to];
      const change = move.set ?? {};
      if (change.assigneeId !== undefined) sets.push('assignee_id = ?') && params.push(change.assigneeId);
      if (change.resolution !== undefined) sets.push('resolution = ?') && params.push(change.resolution);
      if (change.expiresAt !== undefined) sets.push('expires_at = ?') && params.push(change.expiresAt);
      const conditions = ['r.id = p.id', 'r.status in (?)'];
      params.push(id, move.from);
      if (move.assigneeId) conditions.push('r.assignee_id = ?') && params.push(move.assigneeId);
      if (move.condition) conditions.push(move.condition);
      const [updated] = await em.execute<Array<RequestRow & { previous_status: RequestStatus }>>(
        `update service_requests r set ${sets.join(', ')}
         from (select id, status as previous_status from service_requests where id = ? for update) p
         where ${conditions.join(' and ')}
         returning r.*, p.previous_status`,
        params,
      );
      if (!updated) {
        const [current] = await em.execute<Array<{ status: RequestStatus }>>('select status from service_requests where id = ?', [id]);
        if (!current) throw new NotFound('The request');
        throw new InvalidStateTransition(current.status, move.action);
      }
      const { previous_status: previous, ...row } = updated;
      await this.recordAndAnnounce(row, previous, move.actorId, move.note ?? null);
      return row;
    });
  }

  private async recordAndAnnounce(row: RequestRow, from: RequestStatus | null, actorId: string | null, note: string | null): Promise<void> {
    await this.em.execute('insert into service_request_history (request_id, from_status, to_status, actor_id, note) values (?, ?, ?, ?, ?)', [row.id, from, row.status, actorId, note]);
    const view = toRequestView(row);
    const events: OutboxEvent[] = [
      { recipient: userRecipient(row.owner_id), type: 'request.updated', data: view },
      { recipient: 'role:employee', type: 'request.updated', data: view },
    ];
    // The employees' queue is the `pending_review` requests: it changes when one enters or leaves it.
    if (from === 'pending_review' || row.status === 'pending_review') {
      const [{ queue_size: queueSize }] = await this.em.execute<Array<{ queue_size: string }>>(`select count(*) as queue_size from service_requests where status = 'pending_review'`);
      events.push({ recipient: 'role:employee', type: 'queue.changed', data: { requestId: row.id, status: row.status, queueSize: Number(queueSize) } });
    }
    await this.outbox.append(events);
  }
}
