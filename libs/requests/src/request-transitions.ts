import { Injectable } from '@nestjs/common';
import { canTransition, type RequestStatus, type RequestType, type RequestView } from '@bank/contracts/requests';
import { Forbidden, NotFound } from '@bank/problems/domain-error';
import { DeadlinePassed, InvalidStateTransition, SecondApproverRequired } from './requests.errors';
import { RequestsRepository, type RequestMove } from './requests.repository';

/** One kind of move: the statuses it may leave, the one it enters, and what the row lock must also find. */
export interface MoveRule {
  from: readonly RequestStatus[];
  to: RequestStatus;
  /** The verb for the 409 answer when the request is no longer in a `from` status. */
  action: string;
  /** The move needs the request's deadline (its `expiresAt`) open — none, or not yet passed —, or passed. */
  window?: 'open' | 'passed';
  /** Where a request that must wait for its owner's input goes instead of `to` (see MoveOptions.awaitInput). */
  toAwaitInput?: RequestStatus;
}

/**
 * Every move the service makes, by name. Each step of each move must be one that the contracts'
 * lifecycle (REQUEST_TRANSITIONS) allows: RequestTransitions refuses to start otherwise.
 */
export const REQUEST_MOVES = {
  cancel: { from: ['submitted', 'pending_review'], to: 'cancelled', action: 'cancelled' },
  triage: { from: ['submitted'], to: 'pending_review', action: 'triaged' },
  // Only a transfer review has a deadline while in the queue: past it, it can no longer be decided.
  claim: { from: ['pending_review'], to: 'in_review', window: 'open', action: 'claimed' },
  approve: { from: ['in_review'], to: 'approved', toAwaitInput: 'awaiting_customer', window: 'open', action: 'approved' },
  reject: { from: ['in_review'], to: 'rejected', window: 'open', action: 'rejected' },
  // The employee queue (API.md): the assignee hands it back, an admin hands it to another employee, a stale claim lapses.
  release: { from: ['in_review'], to: 'pending_review', action: 'released' },
  reassign: { from: ['pending_review', 'in_review'], to: 'in_review', action: 'reassigned' },
  expireClaim: { from: ['in_review'], to: 'pending_review', action: 'returned to the queue' },
  // Maker-checker: the first approval of a large one waits for a second, different employee, who approves or rejects it.
  approveFirst: { from: ['in_review'], to: 'awaiting_second_approval', action: 'approved' },
  approveSecond: { from: ['awaiting_second_approval'], to: 'approved', action: 'approved' },
  rejectSecond: { from: ['awaiting_second_approval'], to: 'rejected', action: 'rejected' },
  giveInput: { from: ['awaiting_customer'], to: 'approved', window: 'open', action: 'given input' },
  expire: { from: ['awaiting_customer'], to: 'expired', window: 'passed', action: 'expired' },
  complete: { from: ['approved'], to: 'completed', action: 'completed' },
  fail: { from: ['approved'], to: 'failed', action: 'failed' },
  // transfer_review only (its hold follows: see migration Holds, H3). Undecided means not yet approved or rejected.
  cancelHold: { from: ['submitted', 'pending_review', 'in_review'], to: 'cancelled', action: 'cancelled' },
  expireHold: { from: ['submitted', 'pending_review', 'in_review'], to: 'expired', window: 'passed', action: 'expired' },
} as const satisfies Record<string, MoveRule>;
export type RequestMoveName = keyof typeof REQUEST_MOVES;

/** What one call of a move brings: who makes it, the note, who alone may make it, what else it sets. */
export interface MoveOptions {
  /** Who moves it (null: the system). */
  actorId: string | null;
  /** The note kept in the history. */
  note?: string | null;
  /** Only this employee may make the move (the one who claimed it); anyone else gets 403. */
  assigneeId?: string;
  /** This employee may not make the move (maker-checker: the first approver); they get 409 SECOND_APPROVER_REQUIRED. */
  notAssigneeId?: string;
  /** The move happens only if the request was not touched (no move of any kind) for this many seconds. */
  idleS?: number;
  /** Only this owner may make the move; for anyone else the request does not exist (404). */
  ownerId?: string;
  /** A request of one of these types moves to the rule's `toAwaitInput` instead, its input window open `windowS` seconds. */
  awaitInput?: { types: readonly RequestType[]; windowS: number };
  /** A request of one of these types whose account holds money gets this note (and resolution). */
  flagNonEmptyAccount?: { types: readonly RequestType[]; note: string };
  set?: { assigneeId?: string | null; resolution?: string | null };
}

/** The status changes a rule makes; each must be allowed by the lifecycle, or the code itself is wrong (not the caller). */
export function assertMoveAllowed(name: string, rule: MoveRule): void {
  const targets = rule.toAwaitInput ? [rule.to, rule.toAwaitInput] : [rule.to];
  for (const from of rule.from) for (const to of targets) if (!canTransition(from, to)) throw new Error(`illegal transition in code: ${from} → ${to} (${name})`);
}

/**
 * The only way a request's status changes. Each move is one call of `request_transition`, which
 * under the request's row lock checks the move against the row (the status it leaves, the
 * assignee, the owner, the input window), updates it, and records the history row and the outbox
 * events — in the caller's transaction if there is one, else in its own. So of two racing
 * employees exactly one wins.
 */
@Injectable()
export class RequestTransitions {
  constructor(private readonly repository: RequestsRepository) {
    for (const [name, rule] of Object.entries(REQUEST_MOVES)) assertMoveAllowed(name, rule);
  }

  /**
   * The moved request; NotFound, Forbidden (another employee's), SecondApproverRequired (the first
   * approver again) or InvalidStateTransition when the row refuses it (an `idleS` move refused
   * because the request was touched meanwhile answers InvalidStateTransition too).
   */
  async move(id: string, name: RequestMoveName, options: MoveOptions): Promise<RequestView> {
    const rule: MoveRule = REQUEST_MOVES[name];
    if (options.awaitInput && !rule.toAwaitInput) throw new Error(`illegal transition in code: ${name} has no status to await input in`);
    const change = options.set ?? {};
    const request: RequestMove = {
      from: rule.from,
      to: rule.to,
      actorId: options.actorId,
      note: options.note ?? null,
      ...(options.ownerId ? { ownerId: options.ownerId } : {}),
      ...(options.assigneeId ? { assigneeId: options.assigneeId } : {}),
      ...(options.notAssigneeId ? { notAssigneeId: options.notAssigneeId } : {}),
      ...(options.idleS !== undefined ? { idleS: options.idleS } : {}),
      ...(rule.window ? { window: rule.window } : {}),
      ...(options.awaitInput && rule.toAwaitInput ? { awaitInput: { types: options.awaitInput.types, to: rule.toAwaitInput, windowS: options.awaitInput.windowS } } : {}),
      ...(options.flagNonEmptyAccount ? { flagNonEmptyAccount: options.flagNonEmptyAccount } : {}),
      ...(change.assigneeId !== undefined ? { setAssigneeId: change.assigneeId } : {}),
      ...(change.resolution !== undefined ? { setResolution: change.resolution } : {}),
    };
    const outcome = await this.repository.transition(id, request);
    if (outcome.moved) return outcome.request;
    if (outcome.current === null) throw new NotFound('The request');
    if (options.assigneeId && rule.from.includes(outcome.current) && outcome.assigneeId !== options.assigneeId) {
      throw new Forbidden('Only the employee who claimed the request can decide it.');
    }
    if (options.notAssigneeId && rule.from.includes(outcome.current) && outcome.assigneeId === options.notAssigneeId) throw new SecondApproverRequired();
    if (outcome.windowPassed) throw new DeadlinePassed(outcome.current, rule.action);
    throw new InvalidStateTransition(outcome.current, rule.action);
  }
}
