import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './pagination';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';
import { RoleSchema } from './users';

/** API.md "Admin": every kind of stored security event. */
export const SECURITY_EVENT_TYPES = [
  'login.failed',
  'account.locked',
  'account.unlocked',
  'token.reused',
  'admin_key.failed',
  'rate_limited',
  'pin.failed',
  'card.blocked',
  // Extends API.md's list: the audit trail of an admin creating an employee or admin.
  'staff.created',
  // Issue 19 (API.md "Sessions, password, two-factor sign-in"), and the operator's break-glass unlock.
  'password.changed',
  'session.revoked',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.failed',
  'operator.unlocked',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Consecutive failed logins that lock a user (DESIGN.md "Security"). */
export const LOCKOUT_THRESHOLD = 5;

/** A security event as admins read it (`GET /admin/security-events`, live as `security.event`). */
export interface SecurityEventView {
  id: string;
  type: SecurityEventType;
  userId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
}

export const SecurityEventListQuerySchema = z.strictObject({
  type: z.enum(SECURITY_EVENT_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(512).optional(),
});
export type SecurityEventListQuery = z.infer<typeof SecurityEventListQuerySchema>;

/** Wrong admin keys that suspend an admin's unlock ability, within the window, for the window. */
export const ADMIN_KEY_FAILURES_MAX = 5;
export const ADMIN_KEY_WINDOW_S = 600;
export const ADMIN_KEY_HEADER = 'x-admin-key';

export const LockUserSchema = z.strictObject({ reason: z.string().trim().min(1, { error: 'must not be empty' }).max(500).refine(isStorableText, { error: STORABLE_TEXT_ERROR }) });

/** Longest search text `GET /admin/users?q=` accepts. */
export const USER_SEARCH_TEXT_MAX = 100;

/**
 * `GET /admin/users`: API.md's `?status&limit&cursor`, extended with `q` (a case-insensitive part
 * of the email or the name, or an exact account number; blank means no search) and `role`.
 */
export const UserListQuerySchema = z.strictObject({
  q: z
    .string()
    .trim()
    .max(USER_SEARCH_TEXT_MAX, { error: `must be at most ${USER_SEARCH_TEXT_MAX} characters` })
    .refine(isStorableText, { error: STORABLE_TEXT_ERROR })
    .transform((q) => (q === '' ? undefined : q))
    .optional(),
  role: RoleSchema.optional(),
  status: z.enum(['active', 'locked']).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(512).optional(),
});
export type UserListQuery = z.infer<typeof UserListQuerySchema>;

/**
 * The rate limits (DESIGN.md "Security"), each counted in Redis per what it names after the dash:
 * the client's IP, the email in the body, or the signed-in user. A `rate_limited` event's
 * `detail.limit` is one of these.
 */
export const RATE_LIMIT_NAMES = ['login-ip', 'login-email', 'register-ip', 'register-email', 'refresh-ip', 'money-user', 'admin-user', 'lookup-user'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];
