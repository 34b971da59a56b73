import { z } from 'zod';
import { AmountSchema } from './money';
import { CardPinSchema, EmailSchema, FullNameSchema, PasswordSchema, type UserView } from './users';
import type { AccountView } from './accounts';

export const RegisterRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  fullName: FullNameSchema,
  pin: CardPinSchema,
  initialDeposit: AmountSchema.optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export interface RegisterResponse {
  user: UserView;
  account: AccountView;
}

export const LoginRequestSchema = z.strictObject({
  email: EmailSchema,
  // Not the registration rules: a login only compares, and must not reveal the password policy.
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** The body may omit the token when the browser sends it as the HttpOnly refresh cookie. */
export const RefreshRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(512).optional(),
});
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Lifetime of the access token in seconds. */
  expiresIn: number;
  user: UserView;
}

/** Name and path of the HttpOnly cookie that carries the refresh token for browsers. */
export const REFRESH_COOKIE_NAME = 'bc_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
