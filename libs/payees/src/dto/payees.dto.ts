import { createZodDto } from 'nestjs-zod';
import { CreatePayeeRequestSchema } from '@bank/contracts/payees';

export class CreatePayeeDto extends createZodDto(CreatePayeeRequestSchema) {}
