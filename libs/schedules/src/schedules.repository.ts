import { Injectable } from '@nestjs/common';
import type { ScheduleFrequency, ScheduleRunOutcome, ScheduleStatus, ScheduleView } from '@bank/contracts/schedules';
import { SqlPool } from '@bank/db/sql-pool';

/** What a schedule's run needs to know about it (a row of `scheduled_transfers`). */
export interface DueScheduleRow {
  id: string;
  owner_id: string;
  from_account_id: string;
  to_account_number: string;
  amount: string;
  description: string | null;
  start_on: string;
  frequency: ScheduleFrequency;
  run_count: number | null;
  runs_made: number;
  next_run_on: string;
}

export interface NewSchedule {
  ownerId: string;
  fromAccountId: string;
  toAccountNumber: string;
  amount: number;
  description: string | null;
  startOn: string;
  frequency: ScheduleFrequency;
  count: number | null;
}

/** A run as the money path answered it. */
export type RunAnswer = { outcome: Extract<ScheduleRunOutcome, 'posted'>; transactionId: string } | { outcome: Extract<ScheduleRunOutcome, 'held'>; holdId: string } | { outcome: Extract<ScheduleRunOutcome, 'refused'>; code: string };

export type CancelOutcome = { schedule: ScheduleView } | { refused: 'NOT_FOUND' } | { refused: 'INVALID_STATE_TRANSITION'; status: ScheduleStatus };

const DUE_COLUMNS = `id, owner_id, from_account_id, to_account_number, amount, description, to_char(start_on, 'YYYY-MM-DD') as start_on,
  frequency, run_count, runs_made, to_char(next_run_on, 'YYYY-MM-DD') as next_run_on`;

const CREATE = { name: 'schedule-create', text: 'select scheduled_transfer_create($1, $2, $3, $4, $5, $6, $7, $8) as schedule' };
const LIST = {
  name: 'schedule-list',
  text: `select seq, scheduled_transfer_view(s) as schedule from scheduled_transfers s
         where owner_id = $1 and ($2::bigint is null or seq < $2) order by seq desc limit $3`,
};
const CANCEL = { name: 'schedule-cancel', text: 'select scheduled_transfer_cancel($1, $2) as outcome' };
const DUE = {
  name: 'schedule-due',
  text: `select ${DUE_COLUMNS} from scheduled_transfers where status = 'active' and next_run_on <= $1::date order by next_run_on, seq limit $2`,
};
// SKIP LOCKED: a schedule another worker is running right now is that worker's; this one moves on.
const LOCK_DUE = {
  name: 'schedule-lock-due',
  text: `select ${DUE_COLUMNS} from scheduled_transfers where id = $1 and status = 'active' and next_run_on = $2::date for update skip locked`,
};
const RECORD = { name: 'schedule-record-run', text: 'select scheduled_transfer_record_run($1, $2, $3, $4, $5, $6, $7) as schedule' };

/** The schedules' SQL (migration Schedules): every change is one call of its function, which also appends the owner's event. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly sql: SqlPool) {}

  async create(schedule: NewSchedule): Promise<ScheduleView> {
    const { ownerId, fromAccountId, toAccountNumber, amount, description, startOn, frequency, count } = schedule;
    const [row] = await this.sql.query<{ schedule: ScheduleView }>(CREATE, [ownerId, fromAccountId, toAccountNumber, amount, description, startOn, frequency, count]);
    return row.schedule;
  }

  listOwned(ownerId: string, beforeSeq: number | null, limit: number): Promise<Array<{ seq: string; schedule: ScheduleView }>> {
    return this.sql.query(LIST, [ownerId, beforeSeq, limit]);
  }

  async cancel(scheduleId: string, ownerId: string): Promise<CancelOutcome> {
    const [row] = await this.sql.query<{ outcome: CancelOutcome }>(CANCEL, [scheduleId, ownerId]);
    return row.outcome;
  }

  /** Active schedules with a run due on or before `today`, the longest waiting first. */
  due(today: string, limit: number): Promise<DueScheduleRow[]> {
    return this.sql.query<DueScheduleRow>(DUE, [today, limit]);
  }

  /** Inside a transaction: the schedule, locked until it commits, if `on` is still its next run and no one else holds it. */
  async lockDue(scheduleId: string, on: string): Promise<DueScheduleRow | undefined> {
    const [row] = await this.sql.query<DueScheduleRow>(LOCK_DUE, [scheduleId, on]);
    return row;
  }

  /** Records the run and moves the schedule to `next` (null: finished); null when the date was not the schedule's next run. */
  async recordRun(scheduleId: string, on: string, answer: RunAnswer, next: string | null): Promise<ScheduleView | null> {
    const [row] = await this.sql.query<{ schedule: ScheduleView | null }>(RECORD, [
      scheduleId,
      on,
      answer.outcome,
      answer.outcome === 'posted' ? answer.transactionId : null,
      answer.outcome === 'held' ? answer.holdId : null,
      answer.outcome === 'refused' ? answer.code : null,
      next,
    ]);
    return row.schedule;
  }
}
