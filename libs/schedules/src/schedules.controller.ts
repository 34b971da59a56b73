import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '@bank/contracts/pagination';
import type { ScheduleView } from '@bank/contracts/schedules';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { WithoutOrmContext } from '@bank/db/orm-request-context';
import { NotFound } from '@bank/problems/domain-error';
import { CreateScheduleDto, ScheduleListQueryDto } from './dto/schedules.dto';
import { SchedulesService } from './schedules.service';

const ScheduleIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The scheduled transfer') });

/** API.md "Payees, scheduled transfers, search, statements": a customer's scheduled and recurring transfers. */
@ApiTags('scheduled transfers')
@ApiBearerAuth()
@Roles('customer')
@Controller('scheduled-transfers')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @WithoutOrmContext()
  @ApiOperation({ summary: "The caller's schedules, newest first (`{items, nextCursor}`); each carries its latest 100 runs, oldest first, and `runsMade`." })
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: ScheduleListQueryDto): Promise<Page<ScheduleView>> {
    return this.schedules.list(user.id, query);
  }

  @Post()
  @RateLimit('money-user')
  @ApiOperation({
    summary: 'Schedule a one-off, weekly or monthly transfer',
    description:
      'Answers 201 `schedule` (active, `nextRunOn` = `startOn`). Types, unknown fields, the amount and the frequency are checked like any body (400 `VALIDATION_FAILED`); ' +
      'a schedule that cannot run answers 400 `SCHEDULE_INVALID` with `errors` by field: `startOn` not a real YYYY-MM-DD date, before today (UTC) or more than 5 years ahead; ' +
      '`count` below 1 or above 600; `count` other than 1 with `once`; `toAccountNumber` the source account itself. Without `count` a weekly or monthly schedule runs until cancelled. ' +
      'As a bank does when the order is given, the source must be the caller’s (404 otherwise) and the number must reach a receiving account (404, like `GET /accounts/lookup`); ' +
      'funds, limits, review rules and account status are checked at each run. A run is due from 00:00 UTC of its date and is made by the worker within `SCHEDULE_SWEEP_INTERVAL_S`. ' +
      'Monthly runs fall on the start day, or the month’s last day when it is shorter (a 31st → Feb 28/29 → Mar 31). Each change is pushed as `schedule.updated`.',
  })
  create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateScheduleDto): Promise<ScheduleView> {
    return this.schedules.create(user.id, body);
  }

  @Post(':id/cancel')
  @WithoutOrmContext()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an active schedule',
    description:
      '200 `schedule` cancelled; no later run is made. A run being made at that moment finishes first (the cancel waits for it) and stays recorded. ' +
      'A finished or cancelled schedule answers 409 `INVALID_STATE_TRANSITION`; another customer’s, 404.',
  })
  cancel(@CurrentUser() user: AuthenticatedUser, @Param('id', ScheduleIdPipe) id: string): Promise<ScheduleView> {
    return this.schedules.cancel(user.id, id);
  }
}
