import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { Page } from '@bank/contracts/pagination';
import { userRecipient } from '@bank/contracts/events';
import {
  canTransition,
  CUSTOMER_INPUT_TYPES,
  OPEN_REQUEST_STATUSES,
  REQUEST_DETAILS_SCHEMAS,
  type CreateRequest,
  type RequestListQuery,
  type RequestStatus,
  type RequestView,
} from '@bank/contracts/requests';
import { AccountsService } from '@bank/accounts/accounts.service';
import { UsersService } from '@bank/users/users.service';
import { OutboxService } from '@bank/outbox/outbox.service';
import { Forbidden, NotFound } from '@bank/problems/domain-error';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/ledger/page-cursor';
import { minorUnits } from '@bank/accounts/account-row';
import { RequestJobsProducer } from './request-jobs.producer';
import { toRequestView, type HistoryRow, type RequestRow } from './request-row';
import { InvalidStateTransition } from './requests.errors';

/** How long an approved request waits for the customer's own input (card PIN, name). */
export const CUSTOMER_INPUT_WINDOW_S_DEFAULT = 600;

interface TransitionChange {
  assigneeId?: string | null;
  resolution?: string | null;
  expiresAt?: Date | null;
}

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
    return toRequestView(await this.transition(id, ['submitted', 'pending_review'], 'cancelled', caller.id, null, {}, 'cancelled'));
  }

  async claim(employee: AuthenticatedUser, id: string): Promise<RequestView> {
    await this.visibleTo(employee, id);
    return toRequestView(await this.transition(id, ['pending_review'], 'in_review', employee.id, null, { assigneeId: employee.id }, 'claimed'));
  }

  async approve(employee: AuthenticatedUser, id: string, note: string | undefined, inputWindowS = CUSTOMER_INPUT_WINDOW_S_DEFAULT): Promise<RequestView> {
    const row = await this.claimedBy(employee, id, 'approved');
    const needsInput = CUSTOMER_INPUT_TYPES.includes(row.type);
    const updated = needsInput
      ? await this.transition(id, ['in_review'], 'awaiting_customer', employee.id, note ?? null, { expiresAt: new Date(Date.now() + inputWindowS * 1000) }, 'approved', employee.id)
      : await this.transition(id, ['in_review'], 'approved', employee.id, note ?? null, {}, 'approved', employee.id);
    if (!needsInput) await this.jobs.enqueue('fulfilment', id);
    return toRequestView(updated);
  }

  async reject(employee: AuthenticatedUser, id: string, reason: string): Promise<RequestView> {
    await this.claimedBy(employee, id, 'rejected');
    return toRequestView(await this.transition(id, ['in_review'], 'rejected', employee.id, reason, { resolution: reason }, 'rejected', employee.id));
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
      await this.transition(id, ['submitted'], 'pending_review', null, note, note ? { resolution: note } : {}, 'triaged');
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
      if (failure) await this.transition(id, ['approved'], 'failed', null, failure, { resolution: failure }, 'failed');
      else await this.transition(id, ['approved'], 'completed', null, null, {}, 'completed');
    });
  }

  /** After the last retry: the request is `failed` with the error, never stuck silently. */
  async failAfterRetries(id: string, reason: string): Promise<void> {
    try {
      await this.transition(id, ['approved'], 'failed', null, reason, { resolution: reason }, 'failed');
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
        // Their effect is applied when the customer submits the input (the input is never stored).
        return null;
    }
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
   * the assignee), the history row and the outbox events, in one transaction.
   */
  private async transition(
    id: string,
    from: RequestStatus[],
    to: RequestStatus,
    actorId: string | null,
    note: string | null,
    change: TransitionChange,
    action: string,
    assigneeId?: string,
  ): Promise<RequestRow> {
    for (const status of from) if (!canTransition(status, to)) throw new Error(`illegal transition in code: ${status} → ${to}`);
    return this.em.transactional(async (em) => {
      const sets = ['status = ?', 'updated_at = now()'];
      const params: unknown[] = [to];
      if (change.assigneeId !== undefined) sets.push('assignee_id = ?') && params.push(change.assigneeId);
      if (change.resolution !== undefined) sets.push('resolution = ?') && params.push(change.resolution);
      if (change.expiresAt !== undefined) sets.push('expires_at = ?') && params.push(change.expiresAt);
      const [updated] = await em.execute<Array<RequestRow & { previous_status: RequestStatus }>>(
        `update service_requests r set ${sets.join(', ')}
         from (select id, status as previous_status from service_requests where id = ? for update) p
         where r.id = p.id and r.status in (?) ${assigneeId ? 'and r.assignee_id = ?' : ''}
         returning r.*, p.previous_status`,
        [...params, id, from, ...(assigneeId ? [assigneeId] : [])],
      );
      if (!updated) {
        const [current] = await em.execute<Array<{ status: RequestStatus }>>('select status from service_requests where id = ?', [id]);
        if (!current) throw new NotFound('The request');
        throw new InvalidStateTransition(current.status, action);
      }
      const { previous_status: previous, ...row } = updated;
      await this.recordAndAnnounce(row, previous, actorId, note);
      return row;
    });
  }

  private async recordAndAnnounce(row: RequestRow, from: RequestStatus | null, actorId: string | null, note: string | null): Promise<void> {
    await this.em.execute('insert into service_request_history (request_id, from_status, to_status, actor_id, note) values (?, ?, ?, ?, ?)', [row.id, from, row.status, actorId, note]);
    const [{ queue_size: queueSize }] = await this.em.execute<Array<{ queue_size: string }>>(`select count(*) as queue_size from service_requests where status = 'pending_review'`);
    const view = toRequestView(row);
    await this.outbox.append([
      { recipient: userRecipient(row.owner_id), type: 'request.updated', data: view as unknown as Record<string, unknown> },
      { recipient: 'role:employee', type: 'request.updated', data: view as unknown as Record<string, unknown> },
      { recipient: 'role:employee', type: 'queue.changed', data: { requestId: row.id, status: row.status, queueSize: Number(queueSize) } },
    ]);
  }
}
