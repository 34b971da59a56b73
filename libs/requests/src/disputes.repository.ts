import { Injectable } from '@nestjs/common';
import type { DisputeRefusalReason } from '@bank/contracts/disputes';
import type { RequestView } from '@bank/contracts/requests';
import { SqlPool } from '@bank/db/sql-pool';

/** What `dispute_file` answers: the filed request, or why not. */
export type DisputeFileOutcome =
  | { filed: RequestView }
  | { refused: 'NOT_FOUND' }
  | { refused: 'DISPUTE_NOT_ALLOWED'; reason: DisputeRefusalReason }
  | { refused: 'CONFLICT'; requestId: string };

const FILE = { name: 'dispute-file', text: 'select dispute_file($1, $2, $3, $4) as outcome' };

/**
 * The disputes' SQL: filing is one call of `dispute_file` (migration Disputes), which checks the
 * transaction under its row lock and files the request in the same statement. Through SqlPool, so
 * it joins the caller's transaction (the Idempotency-Key's).
 */
@Injectable()
export class DisputesRepository {
  constructor(private readonly sql: SqlPool) {}

  async file(transactionId: string, ownerId: string, reason: string, windowDays: number): Promise<DisputeFileOutcome> {
    const [{ outcome }] = await this.sql.query<{ outcome: DisputeFileOutcome }>(FILE, [transactionId, ownerId, reason, windowDays]);
    return outcome;
  }
}
