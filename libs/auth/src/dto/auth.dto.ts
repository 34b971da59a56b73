import { createZodDto } from 'nestjs-zod';
import { ChangePasswordRequestSchema, LoginRequestSchema, RefreshRequestSchema } from '@bank/contracts/auth';
import { CreateStaffRequestSchema } from '@bank/contracts/users';

export class LoginDto extends createZodDto(LoginRequestSchema) {}
export class RefreshDto extends createZodDto(RefreshRequestSchema) {}
export class CreateStaffDto extends createZodDto(CreateStaffRequestSchema) {}
export class ChangePasswordDto extends createZodDto(ChangePasswordRequestSchema) {}
