import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { LedgerModule } from '@bank/ledger/ledger.module';
import { Clock, SystemClock } from '@bank/auth/clock';
import { SchedulesService } from './schedules.service';
import { SchedulesRepository } from './schedules.repository';
import { ScheduleRunner } from './schedule-runner';

/** Scheduled and recurring transfers: the service the routes use and the runner the worker drives (no routes: the worker imports it). */
@Module({
  imports: [AccountsModule, LedgerModule],
  providers: [SchedulesService, SchedulesRepository, ScheduleRunner, { provide: Clock, useClass: SystemClock }],
  exports: [SchedulesService, ScheduleRunner, Clock],
})
export class SchedulesModule {}
