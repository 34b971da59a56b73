import { createZodDto } from 'nestjs-zod';
import { LoginRequestSchema, RefreshRequestSchema, RegisterRequestSchema } from '@bank/contracts/auth';
import { CreateStaffRequestSchema } from '@bank/contracts/users';

export class RegisterDto extends createZodDto(RegisterRequestSchema) {}
export class LoginDto extends createZodDto(LoginRequestSchema) {}
export class RefreshDto extends createZodDto(RefreshRequestSchema) {}
export class CreateStaffDto extends createZodDto(CreateStaffRequestSchema) {}
