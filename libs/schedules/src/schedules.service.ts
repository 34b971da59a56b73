import { Injectable } from '@nestjs/common';
import type { Page } from '@bank/contracts/pagination';
import { scheduleProblems, utcToday, type CreateSchedule, type ScheduleListQuery, type ScheduleView } from '@bank/contracts/schedules';
import { AccountsService } from '@bank/accounts/accounts.service';
import { Clock } from '@bank/auth/clock';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { NotFound } from '@bank/problems/domain-error';
import { ScheduleInvalid, ScheduleNotActive } from './schedules.errors';
import { SchedulesRepository } from './schedules.repository';

/**
 * A customer's scheduled transfers: created, listed, cancelled. The runs themselves are the
 * worker's (ScheduleRunner). Creation checks what a bank checks when the order is given: the date
 * and count can run, the source is the caller's, and the target number reaches someone (like
 * `GET /accounts/lookup`). Funds, limits and account status are checked at each run, as any transfer.
 */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
  ) {}

  async create(ownerId: string, body: CreateSchedule): Promise<ScheduleView> {
    const problems = scheduleProblems(body, utcToday(this.clock.nowMs()));
    if (problems.length > 0) throw new ScheduleInvalid(problems);
    const from = await this.accounts.getOwned(body.fromAccountId, ownerId);
    await this.accounts.lookup(body.toAccountNumber);
    if (from.number === body.toAccountNumber) throw new ScheduleInvalid([{ path: 'toAccountNumber', message: 'is the account it would send from' }]);
    return this.schedules.create({
      ownerId,
      fromAccountId: body.fromAccountId,
      toAccountNumber: body.toAccountNumber,
      amount: body.amount,
      description: body.description || null,
      startOn: body.startOn,
      frequency: body.frequency,
      count: body.frequency === 'once' ? 1 : (body.count ?? null),
    });
  }

  /** Newest first. */
  async list(ownerId: string, query: ScheduleListQuery): Promise<Page<ScheduleView>> {
    const rows = await this.schedules.listOwned(ownerId, decodeSeqCursor(query.cursor), query.limit + 1);
    const page = rows.slice(0, query.limit);
    return { items: page.map((row) => row.schedule), nextCursor: rows.length > query.limit ? encodeSeqCursor(Number(page[page.length - 1].seq)) : null };
  }

  async cancel(ownerId: string, scheduleId: string): Promise<ScheduleView> {
    const outcome = await this.schedules.cancel(scheduleId, ownerId);
    if ('schedule' in outcome) return outcome.schedule;
    if (outcome.refused === 'NOT_FOUND') throw new NotFound('The scheduled transfer');
    throw new ScheduleNotActive(outcome.status);
  }
}
