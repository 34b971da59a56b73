import { Module } from '@nestjs/common';
import { SchedulesModule } from './schedules.module';
import { SchedulesController } from './schedules.controller';

/** The api's `/scheduled-transfers` routes. */
@Module({
  imports: [SchedulesModule],
  controllers: [SchedulesController],
})
export class SchedulesRoutesModule {}
