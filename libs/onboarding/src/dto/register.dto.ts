import { createZodDto } from 'nestjs-zod';
import { RegisterRequestSchema } from '@bank/contracts/auth';

export class RegisterDto extends createZodDto(RegisterRequestSchema) {}
