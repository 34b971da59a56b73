import { z } from 'zod';
import type { FieldError } from './problem';
import { TransferRequestSchema } from './ledger';
import { PageQuerySchema } from './pagination';

/**
 * Scheduled and recurring transfers (API.md "Payees, scheduled transfers, search, statements").
 * The date arithmetic lives here once: the browser's preview of the next runs and the worker that
 * makes them use the same function, so what the form promises is what happens.
 */

export const SCHEDULE_FREQUENCIES = ['once', 'weekly', 'monthly'] as const;
export type ScheduleFrequency = (typeof SCHEDULE_FREQUENCIES)[number];

export const SCHEDULE_STATUSES = ['active', 'finished', 'cancelled'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const SCHEDULE_RUN_OUTCOMES = ['posted', 'held', 'refused'] as const;
export type ScheduleRunOutcome = (typeof SCHEDULE_RUN_OUTCOMES)[number];

/** The most runs one schedule may be given (weekly for over eleven years, monthly for fifty). */
export const SCHEDULE_COUNT_MAX = 600;
/** How far ahead a first run may be set. */
export const SCHEDULE_START_DAYS_AHEAD_MAX = 5 * 366;
/** A schedule's view carries its latest runs, at most this many (oldest first); `runsMade` counts them all. */
export const SCHEDULE_VIEW_RUNS_MAX = 100;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * `POST /scheduled-transfers`. The shape (types, unknown fields, the amount, the frequency) is
 * checked here and answers 400 `VALIDATION_FAILED`; whether the schedule can run at all (a real
 * date, not in the past, a sane count) is `scheduleProblems` and answers 400 `SCHEDULE_INVALID`.
 */
export const CreateScheduleSchema = z.strictObject({
  fromAccountId: TransferRequestSchema.shape.fromAccountId,
  toAccountNumber: TransferRequestSchema.shape.toAccountNumber,
  amount: TransferRequestSchema.shape.amount,
  description: TransferRequestSchema.shape.description,
  startOn: z.string({ error: 'must be a date (YYYY-MM-DD)' }).max(32, { error: 'must be a date (YYYY-MM-DD)' }),
  frequency: z.enum(SCHEDULE_FREQUENCIES, { error: 'must be once, weekly or monthly' }),
  count: z.number({ error: 'must be a whole number of runs' }).int({ error: 'must be a whole number of runs' }).optional(),
});
export type CreateSchedule = z.infer<typeof CreateScheduleSchema>;

export const ScheduleListQuerySchema = PageQuerySchema;
export type ScheduleListQuery = z.infer<typeof ScheduleListQuerySchema>;

export interface ScheduleRunView {
  /** The run's date (YYYY-MM-DD, UTC). */
  on: string;
  outcome: ScheduleRunOutcome;
  /** The posted transaction (outcome `posted`). */
  transactionId: string | null;
  /** The hold it became (outcome `held`). */
  holdId: string | null;
  /** Why the bank refused it (outcome `refused`): `INSUFFICIENT_FUNDS`, `DAILY_LIMIT_EXCEEDED`, `ACCOUNT_FROZEN`, … */
  code: string | null;
}

/** `schedule` of API.md. */
export interface ScheduleView {
  id: string;
  status: ScheduleStatus;
  /** The next run's date; null once the schedule is not active. */
  nextRunOn: string | null;
  fromAccountId: string;
  toAccountNumber: string;
  amount: number;
  description?: string;
  startOn: string;
  frequency: ScheduleFrequency;
  count?: number;
  /** How many runs were made (the view's `runs` holds the latest SCHEDULE_VIEW_RUNS_MAX). */
  runsMade: number;
  runs: ScheduleRunView[];
  createdAt: string;
  cancelledAt: string | null;
}

/** The data of the `schedule.updated` event (to the owner): the schedule after a run or a cancel. */
export type ScheduleUpdatedData = ScheduleView;

/** A calendar date (UTC) as days since 1970-01-01, or null when the text is not a real YYYY-MM-DD date. */
export function parseIsoDate(text: string): number | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (year < 1970 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export function isoDateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Today's date in UTC (a run is due from 00:00 UTC of its date). */
export function utcToday(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * The date of run number `index` (0 = the first, on `startOn`). Weekly: 7 days apart. Monthly: on
 * the start's day of the month, or the month's last day when it is shorter — counted from the
 * start each time, so a schedule started on the 31st runs on Feb 28 (29 in a leap year) and on
 * Mar 31 again. Once: only index 0.
 */
export function runDate(startOn: string, frequency: ScheduleFrequency, index: number): string {
  const startDay = parseIsoDate(startOn);
  if (startDay === null) throw new RangeError(`not a date: ${startOn}`);
  if (!Number.isInteger(index) || index < 0 || (frequency === 'once' && index > 0)) throw new RangeError(`no run ${index} for a ${frequency} schedule`);
  if (frequency !== 'monthly') return isoDateOfDay(startDay + 7 * index);
  const start = new Date(startDay * DAY_MS);
  const monthIndex = start.getUTCMonth() + index;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  return isoDateOfDay(Date.UTC(year, month, Math.min(start.getUTCDate(), daysInMonth(year, month))) / DAY_MS);
}

/** How many runs a schedule makes in all; null while it runs until cancelled. */
export function runsInAll(frequency: ScheduleFrequency, count: number | undefined): number | null {
  return frequency === 'once' ? 1 : (count ?? null);
}

/** The date of the run after `runsMade` runs, or null when the schedule has made all of them. */
export function nextRunDate(schedule: { startOn: string; frequency: ScheduleFrequency; count?: number }, runsMade: number): string | null {
  const total = runsInAll(schedule.frequency, schedule.count);
  return total !== null && runsMade >= total ? null : runDate(schedule.startOn, schedule.frequency, runsMade);
}

/** The first `limit` run dates of a schedule (the form's preview). */
export function upcomingRunDates(schedule: { startOn: string; frequency: ScheduleFrequency; count?: number }, limit: number): string[] {
  const dates: string[] = [];
  for (let made = 0; made < limit; made++) {
    const next = nextRunDate(schedule, made);
    if (next === null) break;
    dates.push(next);
  }
  return dates;
}

/**
 * Why a well-formed schedule cannot run (400 `SCHEDULE_INVALID`), or an empty list. `today` is
 * the UTC date the bank checks against. The browser runs the same check as the person types.
 */
export function scheduleProblems(schedule: Pick<CreateSchedule, 'startOn' | 'frequency' | 'count'>, today: string): FieldError[] {
  const problems: FieldError[] = [];
  const start = parseIsoDate(schedule.startOn);
  const todayDay = parseIsoDate(today);
  if (start === null) problems.push({ path: 'startOn', message: 'must be a real date (YYYY-MM-DD)' });
  else if (todayDay !== null && start < todayDay) problems.push({ path: 'startOn', message: `must be today (${today}) or later` });
  else if (todayDay !== null && start > todayDay + SCHEDULE_START_DAYS_AHEAD_MAX) problems.push({ path: 'startOn', message: 'must be within 5 years' });
  const { count } = schedule;
  if (count !== undefined) {
    if (schedule.frequency === 'once' && count !== 1) problems.push({ path: 'count', message: 'a one-off transfer runs once: leave the count out (or 1)' });
    else if (count < 1 || count > SCHEDULE_COUNT_MAX) problems.push({ path: 'count', message: `must be between 1 and ${SCHEDULE_COUNT_MAX}` });
  }
  return problems;
}
