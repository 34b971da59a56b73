import type { RequestStatus } from '@bank/contracts/requests';
import type { HoldStatus } from '@bank/contracts/holds';
import { DISPUTE_WINDOW_DAYS, type DisputeRefusalReason } from '@bank/contracts/disputes';
import { DomainError } from '@bank/problems/domain-error';

export class InvalidStateTransition extends DomainError {
  constructor(status: RequestStatus, action: string, detail = `The request is ${status}: it cannot be ${action} now.`) {
    super('INVALID_STATE_TRANSITION', 409, detail, { requestStatus: status });
  }
}

/** A move that needs the request's deadline open, made after it passed (the expiry job has not run yet). */
export class DeadlinePassed extends InvalidStateTransition {
  constructor(
    status: RequestStatus,
    readonly action: string,
  ) {
    super(status, action, `The request's deadline has passed: it cannot be ${action} now.`);
  }
}

/** A hold's review is decided (approved, rejected, expired) or the hold itself is: it cannot be cancelled any more. */
export class HoldNotPending extends DomainError {
  constructor(status: HoldStatus) {
    super('HOLD_NOT_PENDING', 409, status === 'pending' ? 'The held transfer has been approved and is being posted: it cannot be cancelled now.' : `The hold is ${status}: it cannot be cancelled now.`, { holdStatus: status });
  }
}

const DISPUTE_REFUSAL_DETAILS: Record<DisputeRefusalReason, string> = {
  not_sent_transfer: 'Only a transfer you sent can be disputed.',
  too_old: `A transfer can be disputed only within ${DISPUTE_WINDOW_DAYS} days of being sent.`,
  already_reversed: 'The transfer has been reversed already.',
};

/** Only the sender of a posted transfer disputes it, within the window, and only until it is reversed. */
export class DisputeNotAllowed extends DomainError {
  constructor(reason: DisputeRefusalReason) {
    super('DISPUTE_NOT_ALLOWED', 422, DISPUTE_REFUSAL_DETAILS[reason], { reason });
  }
}

/** A dispute of the transaction is open already (filed and not yet decided): 409, with its id. */
export class DisputeOpen extends DomainError {
  constructor(requestId: string) {
    super('CONFLICT', 409, 'A dispute of this transaction is open already.', { requestId });
  }
}

/** Maker-checker: the employee who gave the first approval cannot give the second (nor reject in their place). */
export class SecondApproverRequired extends DomainError {
  constructor() {
    super('SECOND_APPROVER_REQUIRED', 409, 'You gave the first approval: a different employee must approve or reject it.');
  }
}

/** A request can be reassigned only to an active employee. */
export class AssigneeNotEligible extends DomainError {
  constructor(reason: 'not_employee' | 'locked') {
    super('ASSIGNEE_NOT_ELIGIBLE', 422, reason === 'locked' ? 'That employee is locked and cannot review requests.' : 'Only an employee can be assigned a request.', { reason });
  }
}
