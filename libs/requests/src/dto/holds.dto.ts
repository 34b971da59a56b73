import { createZodDto } from 'nestjs-zod';
import { HoldListQuerySchema } from '@bank/contracts/holds';

export class HoldListQueryDto extends createZodDto(HoldListQuerySchema) {}
