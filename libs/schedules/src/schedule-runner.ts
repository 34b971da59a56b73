import { Injectable, Logger } from '@nestjs/common';
import { nextRunDate, type ScheduleView } from '@bank/contracts/schedules';
import type { TransferRequest } from '@bank/contracts/ledger';
import { LedgerService } from '@bank/ledger/ledger.service';
import { SqlPool } from '@bank/db/sql-pool';
import { DomainError } from '@bank/problems/domain-error';
import { SchedulesRepository, type DueScheduleRow, type RunAnswer } from './schedules.repository';

/** Due schedules read per look; the sweep looks again until none is left. */
const DUE_BATCH = 50;
/** Runs made at once: each holds a SqlPool connection (max 4, shared) while its transfer commits. */
const RUNS_IN_PARALLEL = 3;

/** The idempotency key of a run: the same for every attempt at one date, so the ledger pays it once. */
export function runIdempotencyKey(scheduleId: string, on: string): string {
  return `schedule:${scheduleId}:${on}`;
}

/** The transfer a schedule makes, the same body at every attempt (the key's fingerprint covers it). */
function transferOf(schedule: DueScheduleRow): TransferRequest {
  return {
    fromAccountId: schedule.from_account_id,
    toAccountNumber: schedule.to_account_number,
    amount: Number(schedule.amount),
    ...(schedule.description === null ? {} : { description: schedule.description }),
  };
}

export interface SweepResult {
  /** Runs recorded by this sweep. */
  recorded: number;
}

/**
 * Makes the due runs of scheduled transfers (docs/architecture.md "Scheduled transfers"). Each run
 * of a date is, in one transaction of this module's: lock the schedule row (skipping it if another
 * worker holds it) while that date is still its next run → pay through `LedgerService.transfer`
 * with the key `schedule:<id>:<date>` → record the answer and move to the next date. The payment
 * commits on the money path's own connection before the record does; a crash in between leaves
 * the date due, and the next attempt's transfer replays the stored answer instead of paying again.
 * The row lock, held while the transfer commits, is what makes a cancel wait for a run in flight.
 */
@Injectable()
export class ScheduleRunner {
  private readonly logger = new Logger(ScheduleRunner.name);

  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly ledger: LedgerService,
    private readonly sql: SqlPool,
  ) {}

  /**
   * Every run due on or before `today` (a UTC date), each schedule's missed dates oldest first.
   * Stops when a look finds nothing it could run (all done, or the rest held by other workers).
   */
  async runDue(today: string): Promise<SweepResult> {
    let recorded = 0;
    const failed: unknown[] = [];
    for (;;) {
      const due = await this.schedules.due(today, DUE_BATCH);
      let recordedThisLook = 0;
      for (let start = 0; start < due.length; start += RUNS_IN_PARALLEL) {
        const runs = await Promise.allSettled(due.slice(start, start + RUNS_IN_PARALLEL).map((schedule) => this.runOnce(schedule.id, schedule.next_run_on)));
        for (const run of runs) {
          if (run.status === 'rejected') failed.push(run.reason);
          else if (run.value !== null) recordedThisLook++;
        }
      }
      recorded += recordedThisLook;
      // A date that failed stays due: it is tried again at the next sweep, after the others.
      if (recordedThisLook === 0) {
        if (failed.length > 0) throw new AggregateError(failed, `${failed.length} scheduled run(s) failed; ${recorded} recorded`);
        return { recorded };
      }
    }
  }

  /** The run of `on` of one schedule; null when it is not due any more or another worker is making it. */
  async runOnce(scheduleId: string, on: string): Promise<ScheduleView | null> {
    return this.sql.transaction(async () => {
      const schedule = await this.schedules.lockDue(scheduleId, on);
      if (!schedule) return null;
      const answer = await this.pay(schedule, on);
      const next = nextRunDate({ startOn: schedule.start_on, frequency: schedule.frequency, count: schedule.run_count ?? undefined }, schedule.runs_made + 1);
      return this.schedules.recordRun(scheduleId, on, answer, next);
    });
  }

  /**
   * The ordinary transfer, as the owner: holds, limits and refusals apply. A refusal (any 4xx the
   * money path answers, a replayed one too) is the run's outcome; anything else (the ledger
   * unreachable) throws, and the date is tried again at the next sweep.
   */
  private async pay(schedule: DueScheduleRow, on: string): Promise<RunAnswer> {
    try {
      const answer = await this.ledger.transfer(schedule.owner_id, transferOf(schedule), runIdempotencyKey(schedule.id, on));
      return answer.status === 201 ? { outcome: 'posted', transactionId: answer.body.transaction.id } : { outcome: 'held', holdId: answer.body.hold.id };
    } catch (error) {
      if (error instanceof DomainError && error.status >= 400 && error.status < 500) {
        this.logger.log({ scheduleId: schedule.id, on, code: error.code }, 'a scheduled transfer was refused');
        return { outcome: 'refused', code: error.code };
      }
      throw error;
    }
  }
}
