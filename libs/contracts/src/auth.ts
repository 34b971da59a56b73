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

/**
 * `POST /auth/refresh`'s answer: when the refresh token came from the HttpOnly cookie, the new one
 * travels only in the cookie, never in the body (script must not be able to read it).
 */
export type RefreshResponse = Omit<TokenResponse, 'refreshToken'> & { refreshToken?: string };

/** A session (one refresh-token family) as its user sees it: `GET /auth/sessions`. */
export interface SessionView {
  id: string;
  /** The session of the access token that asked. */
  current: boolean;
  /** The `User-Agent` the session was started with (null when none was sent). */
  userAgent: string | null;
  /** The address the session was last used from (started or refreshed). */
  ip: string | null;
  createdAt: string;
  /** When the session last got new tokens (sign-in or refresh). */
  lastUsedAt: string;
}

export interface SessionList {
  items: SessionView[];
}

/** `POST /auth/password`: the new password follows the registration rules and differs from the current one. */
export const ChangePasswordRequestSchema = z
  .strictObject({
    // Only compared, like a login's: the rules would tell a guesser nothing useful, but a long body is refused.
    currentPassword: z.string().min(1, { error: 'is required' }).max(1024),
    newPassword: PasswordSchema,
  })
  .refine((body) => body.newPassword !== body.currentPassword, { error: 'must differ from the current password', path: ['newPassword'] });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

/** Name and path of the HttpOnly cookie that carries the refresh token for browsers. */
export const REFRESH_COOKIE_NAME = 'bc_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
