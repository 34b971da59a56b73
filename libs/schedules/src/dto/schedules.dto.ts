import { createZodDto } from 'nestjs-zod';
import { CreateScheduleSchema, ScheduleListQuerySchema } from '@bank/contracts/schedules';

export class CreateScheduleDto extends createZodDto(CreateScheduleSchema) {}
export class ScheduleListQueryDto extends createZodDto(ScheduleListQuerySchema) {}
