import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { Page } from '@bank/contracts/pagination';
import { CUSTOMER_INPUT_TYPES, OPEN_REQUEST_STATUSES, REQUEST_DETAILS_SCHEMAS, type CreateRequest, type RequestListQuery, type RequestView } from '@bank/contracts/requests';
import { AccountsService } from '@bank/accounts/accounts.service';
import { UsersService } from '@bank/users/users.service';
import { HoldsService } from '@bank/ledger/holds/holds.service';
import { ReversalsService } from '@bank/ledger/reversals/reversals.service';
import { NotFound } from '@bank/problems/domain-error';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { minorUnits } from '@bank/db/minor-units';
import { RequestJobsProducer } from './request-jobs.producer';
import { toRequestView, type RequestRow } from './request-row';
import { AssigneeNotEligible, DeadlinePassed, HoldNotPending, InvalidStateTransition } from './requests.errors';
import { needsSecondApproval } from './maker-checker';
import type { HoldView } from '@bank/contracts/holds';
import { RequestsRepository } from './requests.repository';
import { RequestTransitions } from './request-transitions';
import { REQUEST_EFFECTS } from './effects/request-effects';
import type { EffectServices } from './effects/request-effect';
import { SqlPool } from '@bank/db/sql-pool';
import { IdempotentCalls, type OnceResult } from '@bank/idempotency/idempotent-calls';

export interface SweepResult {
  requeued: number;
  expired: number;
  /** Stale claims returned to the queue. */
  returned: number;
}

const CLAIM_EXPIRED_NOTE = 'claim expired';
const EXPIRED_RESOLUTION = 'The input window passed without the customer’s input.';
const HOLD_EXPIRED_RESOLUTION = 'Nobody decided the held transfer in time; the reserved amount is available again.';
/** Triage warns the reviewer of a closure that will fail as things stand: its account still holds money. */
const CLOSURE_FLAG = { types: ['account_closure'], note: 'flagged: the account balance is not zero, so closing it will fail unless it is emptied first' } as const;

/** Thrown inside the fulfilment transaction to roll back a completion whose effect was refused. */
class EffectRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Service requests: the use cases the controller calls, then the pipeline's steps that the
 * worker's processors and sweep call. Every status change goes through RequestTransitions; what a
 * request of each type does is its effect in REQUEST_EFFECTS.
 */
@Injectable()
export class RequestsService {
  private readonly effectServices: EffectServices;

  constructor(
    private readonly repository: RequestsRepository,
    private readonly transitions: RequestTransitions,
    private readonly sql: SqlPool,
    private readonly idempotent: IdempotentCalls,
    accounts: AccountsService,
    private readonly users: UsersService,
    private readonly holds: HoldsService,
    reversals: ReversalsService,
    private readonly jobs: RequestJobsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.effectServices = { accounts, users, holds: this.holds, reversals };
  }

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
    const rows = await this.repository.page({
      ownerId: caller.role === 'customer' ? caller.id : undefined,
      status: query.status,
      type: query.type,
      assigneeId: query.assignee === 'me' ? caller.id : query.assignee === 'none' ? null : undefined,
      seqPast: decodeSeqCursor(query.cursor),
      // Employees work the queue oldest first; customers and admins read newest first.
      oldestFirst: caller.role === 'employee',
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return { items: items.map((row) => toRequestView(row)), nextCursor: rows.length > query.limit ? encodeSeqCursor(minorUnits(items[items.length - 1].seq)) : null };
  }

  async get(caller: AuthenticatedUser, id: string): Promise<RequestView> {
    const row = await this.visibleTo(caller, id);
    return toRequestView(row, await this.repository.history(id));
  }

  cancel(caller: AuthenticatedUser, id: string): Promise<RequestView> {
    return this.transitions.move(id, 'cancel', { actorId: caller.id, ownerId: caller.id });
  }

  claim(employee: AuthenticatedUser, id: string): Promise<RequestView> {
    return this.expiringIfLate(id, () => this.transitions.move(id, 'claim', { actorId: employee.id, set: { assigneeId: employee.id } }));
  }

  /**
   * Approval. The types that need the customer's own input wait for it instead, with a deadline;
   * a large limit increase or dispute (maker-checker) waits for a second, different employee,
   * whose approval then completes it as any approval does (the fulfilment job).
   */
  async approve(employee: AuthenticatedUser, id: string, note: string | undefined): Promise<RequestView> {
    const row = await this.repository.find(id);
    if (row?.status !== 'awaiting_second_approval') {
      try {
        return await this.approveClaimed(employee, id, row, note);
      } catch (error) {
        // Approved a moment ago (a double click): from now on this is the second approval.
        if (!(error instanceof InvalidStateTransition && error.extensions.requestStatus === 'awaiting_second_approval')) throw error;
      }
    }
    // The second approver becomes the assignee: the effect runs on their authority (a reversal's initiator); the first is in the history.
    const approved = await this.transitions.move(id, 'approveSecond', { actorId: employee.id, note: note ?? 'second approval', notAssigneeId: employee.id, set: { assigneeId: employee.id } });
    await this.jobs.enqueue('fulfilment', id);
    return approved;
  }

  /** The claiming employee's approval: final, waiting for the customer's input, or the first of two. */
  private async approveClaimed(employee: AuthenticatedUser, id: string, row: RequestRow | undefined, note: string | undefined): Promise<RequestView> {
    if (row && needsSecondApproval(row, this.config.queue)) {
      return this.transitions.move(id, 'approveFirst', { actorId: employee.id, note: note ?? 'first approval: a second employee must approve', assigneeId: employee.id });
    }
    const windowS = this.config.requestInputWindowS;
    const updated = await this.expiringIfLate(id, () =>
      this.transitions.move(id, 'approve', {
        actorId: employee.id,
        note: note ?? null,
        assigneeId: employee.id,
        awaitInput: { types: CUSTOMER_INPUT_TYPES, windowS },
      }),
    );
    if (updated.status === 'awaiting_customer') await this.jobs.enqueue('expiry', id, windowS * 1000);
    else await this.jobs.enqueue('fulfilment', id);
    return updated;
  }

  /** The claiming employee rejects; one awaiting a second approval is rejected by any employee but the first approver. */
  async reject(employee: AuthenticatedUser, id: string, reason: string): Promise<RequestView> {
    const row = await this.repository.find(id);
    if (row?.status === 'awaiting_second_approval') {
      return this.transitions.move(id, 'rejectSecond', { actorId: employee.id, note: reason, notAssigneeId: employee.id, set: { assigneeId: employee.id, resolution: reason } });
    }
    return this.expiringIfLate(id, () => this.transitions.move(id, 'reject', { actorId: employee.id, note: reason, assigneeId: employee.id, set: { resolution: reason } }));
  }

  /** A transfer review decided after its deadline, before the expiry job ran: expire it now, and say so. */
  private async expiringIfLate(id: string, decide: () => Promise<RequestView>): Promise<RequestView> {
    try {
      return await decide();
    } catch (error) {
      if (error instanceof DeadlinePassed && (await this.expireReview(id))) throw new DeadlinePassed('expired', error.action);
      throw error;
    }
  }

  /** The assignee hands a claimed request back to the queue, unassigned. */
  release(employee: AuthenticatedUser, id: string, note: string | undefined): Promise<RequestView> {
    return this.transitions.move(id, 'release', { actorId: employee.id, note: note || 'released', assigneeId: employee.id, set: { assigneeId: null } });
  }

  /** An admin hands a waiting or claimed request to an active employee, who reviews it from now on. */
  async reassign(admin: AuthenticatedUser, id: string, employeeId: string): Promise<RequestView> {
    if (!(await this.repository.find(id))) throw new NotFound('The request');
    const employee = await this.users.findById(employeeId);
    if (!employee) throw new NotFound('The employee');
    if (employee.role !== 'employee') throw new AssigneeNotEligible('not_employee');
    if (employee.status !== 'active') throw new AssigneeNotEligible('locked');
    return this.transitions.move(id, 'reassign', { actorId: admin.id, note: `reassigned to ${employeeId}`, set: { assigneeId: employeeId } });
  }

  /** Sweep: a claim nobody acted on for CLAIM_TIMEOUT_S returns to the queue — checked again under the row lock. */
  async expireClaim(id: string): Promise<boolean> {
    try {
      await this.transitions.move(id, 'expireClaim', { actorId: null, note: CLAIM_EXPIRED_NOTE, idleS: this.config.queue.claimTimeoutS, set: { assigneeId: null } });
      return true;
    } catch (error) {
      if (error instanceof InvalidStateTransition || error instanceof NotFound) return false; // decided, released or touched meanwhile
      throw error;
    }
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
    const effect = REQUEST_EFFECTS[row.type];
    if (row.status !== 'awaiting_customer' || !effect.prepareInput) throw new InvalidStateTransition(row.status, 'given input');
    // Checked, and the slow part (hashing) done, before the row lock.
    const applyInput = await effect.prepareInput(this.effectServices, row.owner_id, body);
    const approved = await this.transitions.move(id, 'giveInput', { actorId: owner.id, ownerId: owner.id });
    await applyInput();
    return approved;
  }

  async countOpen(): Promise<number> {
    return this.repository.countInStatuses(OPEN_REQUEST_STATUSES);
  }

  /** Triage job: checks the request against its account and queues it for review. Idempotent. */
  async triage(id: string): Promise<void> {
    try {
      await this.transitions.move(id, 'triage', { actorId: null, flagNonEmptyAccount: CLOSURE_FLAG });
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
          completed = await this.transitions.move(id, 'complete', { actorId: null });
        } catch (error) {
          if (error instanceof InvalidStateTransition || error instanceof NotFound) return; // decided already
          throw error;
        }
        refusal = await REQUEST_EFFECTS[completed.type].fulfil(this.effectServices, completed);
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
      await this.transitions.move(id, 'fail', { actorId: null, note: reason, set: { resolution: reason } });
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error;
    }
  }

  /** Expiry job and sweep: an `awaiting_customer` request whose window has passed becomes `expired`. */
  expire(id: string): Promise<boolean> {
    return this.systemMoveIfDue(id, 'expire', EXPIRED_RESOLUTION);
  }

  /** Sweep: a transfer review still undecided when its hold's time to live passes expires, and so does the hold. */
  expireReview(id: string): Promise<boolean> {
    return this.systemMoveIfDue(id, 'expireHold', HOLD_EXPIRED_RESOLUTION);
  }

  /** A move the system makes when its time has come: false when the request is gone or already moved on (a job and the sweep may both try). */
  private async systemMoveIfDue(id: string, move: 'expire' | 'expireHold', resolution: string): Promise<boolean> {
    try {
      await this.transitions.move(id, move, { actorId: null, set: { resolution } });
      return true;
    } catch (error) {
      if (error instanceof InvalidStateTransition || error instanceof NotFound) return false;
      throw error;
    }
  }

  /**
   * The owner cancels a held transfer while its review is undecided: the request is cancelled and,
   * in the same transaction, the hold (migration Holds, H3). Once decided: 409 HOLD_NOT_PENDING.
   */
  async cancelHold(owner: AuthenticatedUser, holdId: string): Promise<HoldView> {
    const hold = await this.holds.get(owner, holdId);
    try {
      await this.transitions.move(hold.requestId, 'cancelHold', { actorId: owner.id, ownerId: owner.id, note: 'cancelled by the customer' });
    } catch (error) {
      if (error instanceof InvalidStateTransition) throw new HoldNotPending(hold.status);
      throw error;
    }
    return this.holds.get(owner, holdId);
  }

  /**
   * The worker's backstop for jobs Redis lost (flushed, restarted, an enqueue that failed):
   * requests that sat in `submitted` or `approved` too long get their job again, and windows that
   * passed without their expiry job are closed. It also returns stale claims to the queue.
   */
  async sweep(): Promise<SweepResult> {
    const stuck = await this.repository.stuckInPipeline(this.config.requestSweepAfterS);
    let requeued = 0;
    for (const { id, status } of stuck) if (await this.jobs.requeue(status === 'submitted' ? 'triage' : 'fulfilment', id)) requeued++;
    let expired = 0;
    for (const id of await this.repository.overdueForInput()) if (await this.expire(id)) expired++;
    for (const id of await this.repository.overdueReviews()) if (await this.expireReview(id)) expired++;
    let returned = 0;
    for (const id of await this.repository.staleClaims(this.config.queue.claimTimeoutS)) if (await this.expireClaim(id)) returned++;
    return { requeued, expired, returned };
  }

  /** Demo data only: a request filed `byS` seconds earlier than it was (so it shows as waiting that long). */
  backdateForDemo(id: string, byS: number): Promise<void> {
    return this.repository.backdate(id, byS);
  }

  private async visibleTo(caller: AuthenticatedUser, id: string): Promise<RequestRow> {
    const row = await this.repository.find(id);
    if (!row || (caller.role === 'customer' && row.owner_id !== caller.id)) throw new NotFound('The request');
    return row;
  }
}
