import { createZodDto } from 'nestjs-zod';
import { OpenAccountRequestSchema } from '@bank/contracts/accounts';

export class OpenAccountDto extends createZodDto(OpenAccountRequestSchema) {}
