import { createZodDto } from 'nestjs-zod';
import { DisputeRequestSchema } from '@bank/contracts/disputes';

export class DisputeRequestDto extends createZodDto(DisputeRequestSchema) {}
