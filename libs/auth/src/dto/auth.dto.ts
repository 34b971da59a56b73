import { createZodDto } from 'nestjs-zod';
import { ChangePasswordRequestSchema, LoginRequestSchema, RefreshRequestSchema } from '@bank/contracts/auth';
import { CreateStaffRequestSchema } from '@bank/contracts/users';
import { MfaVerifyRequestSchema, TotpConfirmRequestSchema, TotpDisableRequestSchema } from '@bank/contracts/mfa';

export class LoginDto extends createZodDto(LoginRequestSchema) {}
export class RefreshDto extends createZodDto(RefreshRequestSchema) {}
export class CreateStaffDto extends createZodDto(CreateStaffRequestSchema) {}
export class ChangePasswordDto extends createZodDto(ChangePasswordRequestSchema) {}
export class TotpConfirmDto extends createZodDto(TotpConfirmRequestSchema) {}
export class TotpDisableDto extends createZodDto(TotpDisableRequestSchema) {}
export class MfaVerifyDto extends createZodDto(MfaVerifyRequestSchema) {}
