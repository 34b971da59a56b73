import type { ScheduleRunOutcome, ScheduleStatus, ScheduleView } from '@bank/contracts/schedules';

export const SCHEDULE_STATUS_LABELS: Record<ScheduleStatus, string> = { active: 'Active', finished: 'Finished', cancelled: 'Cancelled' };
export const RUN_OUTCOME_LABELS: Record<ScheduleRunOutcome, string> = { posted: 'Sent', held: 'Held for review', refused: 'Not sent' };

const REFUSAL_WORDS: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'not enough money in the account',
  DAILY_LIMIT_EXCEEDED: 'over the daily transfer limit',
  ACCOUNT_FROZEN: 'an account was frozen or closed',
  NOT_FOUND: 'the receiving account no longer exists',
  CURRENCY_MISMATCH: 'the accounts are in different currencies',
  SELF_TRANSFER: 'the accounts are the same',
};

/** Why a run was refused, for a person (the code itself for one this page does not know). */
export function refusalInWords(code: string | null): string {
  if (code === null) return '';
  return REFUSAL_WORDS[code] ?? `refused (${code})`;
}

function ordinal(day: number): string {
  const tens = day % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th');
  return `${day}${suffix}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Once on 2027-01-31", "Every Monday, 4 times", "Monthly on the 31st (or the month's last day)". */
export function scheduleInWords(schedule: Pick<ScheduleView, 'startOn' | 'frequency' | 'count'>): string {
  const start = new Date(`${schedule.startOn}T00:00:00Z`);
  const times = schedule.count === undefined ? ', until cancelled' : schedule.count === 1 ? ', once' : `, ${schedule.count} times`;
  if (schedule.frequency === 'once') return `Once on ${schedule.startOn}`;
  if (schedule.frequency === 'weekly') return `Every ${WEEKDAYS[start.getUTCDay()]} from ${schedule.startOn}${times}`;
  const day = start.getUTCDate();
  return `Monthly on the ${ordinal(day)}${day > 28 ? " (or the month's last day)" : ''} from ${schedule.startOn}${times}`;
}
