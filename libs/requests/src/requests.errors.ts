import type { RequestStatus } from '@bank/contracts/requests';
import { DomainError } from '@bank/problems/domain-error';

export class InvalidStateTransition extends DomainError {
  constructor(status: RequestStatus, action: string) {
    super('INVALID_STATE_TRANSITION', 409, `The request is ${status}: it cannot be ${action} now.`, { requestStatus: status });
  }
}
