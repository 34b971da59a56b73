import { Injectable } from '@nestjs/common';
import { DISPUTE_WINDOW_DAYS, type DisputeRequest } from '@bank/contracts/disputes';
import type { RequestView } from '@bank/contracts/requests';
import { SqlPool } from '@bank/db/sql-pool';
import { IdempotentCalls, type OnceResult } from '@bank/idempotency/idempotent-calls';
import { DomainError, NotFound } from '@bank/problems/domain-error';
import { DisputesRepository, type DisputeFileOutcome } from './disputes.repository';
import { DisputeNotAllowed, DisputeOpen } from './requests.errors';

function assertUnreachable(value: never): never {
  throw new Error(`unhandled dispute refusal ${JSON.stringify(value)}`);
}

function refusalError(outcome: Exclude<DisputeFileOutcome, { filed: RequestView }>): DomainError {
  switch (outcome.refused) {
    case 'NOT_FOUND':
      return new NotFound('The transaction');
    case 'DISPUTE_NOT_ALLOWED':
      return new DisputeNotAllowed(outcome.reason);
    case 'CONFLICT':
      return new DisputeOpen(outcome.requestId);
    default:
      return assertUnreachable(outcome);
  }
}

/**
 * Disputes (API.md "Disputes and reversals"): the sender of a posted transfer files a
 * `transaction_dispute` request, which goes straight into the employees' queue (every check triage
 * would make is made when it is filed). Approval reverses the transfer: see the request's effect.
 */
@Injectable()
export class DisputesService {
  constructor(
    private readonly disputes: DisputesRepository,
    private readonly sql: SqlPool,
    private readonly idempotent: IdempotentCalls,
  ) {}

  /**
   * The filed request (202), in one statement. With an Idempotency-Key the same dispute again
   * answers the first and files nothing; a refusal stores nothing (as for POST /service-requests).
   */
  async file(ownerId: string, transactionId: string, request: DisputeRequest, idempotencyKey?: string): Promise<OnceResult<RequestView>> {
    const file = async () => {
      const outcome = await this.disputes.file(transactionId, ownerId, request.reason, DISPUTE_WINDOW_DAYS);
      if ('filed' in outcome) return outcome.filed;
      throw refusalError(outcome);
    };
    return idempotencyKey
      ? this.sql.transaction(() => this.idempotent.once(ownerId, idempotencyKey, { op: 'transaction_dispute', transactionId, reason: request.reason }, 202, file))
      : { body: await file(), replayed: false };
  }
}
