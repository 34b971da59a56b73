import { Injectable } from '@nestjs/common';
import { ReversalsRepository } from './reversals.repository';

/**
 * Reversals (API.md "Disputes and reversals"): a posted transfer undone by a `reversal` transaction
 * from the recipient back to the sender, at most once per transfer (the database refuses a second).
 * Decided by a `transaction_dispute` request (the requests library); posted here.
 */
@Injectable()
export class ReversalsService {
  constructor(private readonly reversals: ReversalsRepository) {}

  /**
   * Reverses a transfer, once: null when it is reversed (now, or by an earlier run of the same job),
   * else why it cannot be and nothing moved (`INSUFFICIENT_FUNDS`: the recipient's available balance
   * does not cover it; `ACCOUNT_FROZEN`: the sender's account is closed). `actorId`: who decided it.
   */
  async reverse(transactionId: string, actorId: string | null): Promise<'INSUFFICIENT_FUNDS' | 'ACCOUNT_FROZEN' | null> {
    const outcome = await this.reversals.reverse(transactionId, actorId);
    return 'refused' in outcome ? outcome.refused : null;
  }
}
