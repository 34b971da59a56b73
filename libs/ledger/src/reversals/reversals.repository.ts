import { Injectable } from '@nestjs/common';
import { SqlPool } from '@bank/db/sql-pool';

/** What `money_reverse` answers: reversed now, refused (nothing written), or found reversed already. */
export type ReverseOutcome = { reversed: { transactionId: string } } | { refused: 'INSUFFICIENT_FUNDS' | 'ACCOUNT_FROZEN' } | { decided: { transactionId: string } };

const REVERSE = { name: 'money-reverse', text: 'select money_reverse($1, $2) as outcome' };

/**
 * The reversals' SQL: one call of `money_reverse` (migration Disputes), which locks, checks and posts
 * through money_post like every other posting. Through SqlPool, so it joins the fulfilment's transaction.
 */
@Injectable()
export class ReversalsRepository {
  constructor(private readonly sql: SqlPool) {}

  async reverse(transactionId: string, actorId: string | null): Promise<ReverseOutcome> {
    const [{ outcome }] = await this.sql.query<{ outcome: ReverseOutcome }>(REVERSE, [transactionId, actorId]);
    return outcome;
  }
}
