import { Global, Injectable, Module } from '@nestjs/common';
import type { HoldView } from '@bank/contracts/holds';
import { HeldTransferScheduler } from '@bank/ledger/holds/held-transfer-scheduler';
import { RequestJobsProducer } from './request-jobs.producer';
import { RequestQueuesModule } from './request-queues.module';

/** The expiry job runs this long after the deadline, so the row lock finds the window passed. */
const AFTER_DEADLINE_MS = 250;

/** A held transfer's review gets a delayed expiry job at the hold's `expiresAt`. */
@Injectable()
export class HoldExpiryScheduler implements HeldTransferScheduler {
  constructor(private readonly jobs: RequestJobsProducer) {}

  async scheduleExpiry(hold: HoldView): Promise<void> {
    await this.jobs.enqueue('expiry', hold.requestId, Math.max(0, Date.parse(hold.expiresAt) - Date.now()) + AFTER_DEADLINE_MS);
  }
}

/** Global, so the ledger's LedgerService finds the port it declares without importing this library. */
@Global()
@Module({
  imports: [RequestQueuesModule],
  providers: [{ provide: HeldTransferScheduler, useClass: HoldExpiryScheduler }],
  exports: [HeldTransferScheduler],
})
export class HoldExpiryModule {}
