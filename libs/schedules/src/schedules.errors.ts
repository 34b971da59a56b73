import type { FieldError } from '@bank/contracts/problem';
import type { ScheduleStatus } from '@bank/contracts/schedules';
import { DomainError } from '@bank/problems/domain-error';

/** A well-formed schedule that cannot run (API.md: 400 `SCHEDULE_INVALID`); `errors` says which field and why. */
export class ScheduleInvalid extends DomainError {
  constructor(errors: FieldError[]) {
    super('SCHEDULE_INVALID', 400, `This schedule cannot run: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}.`, {}, errors);
  }
}

/** Cancelling a schedule that is finished or cancelled already (409). */
export class ScheduleNotActive extends DomainError {
  constructor(status: ScheduleStatus) {
    super('INVALID_STATE_TRANSITION', 409, `The schedule is ${status}: there is nothing left to cancel.`, { scheduleStatus: status });
  }
}
