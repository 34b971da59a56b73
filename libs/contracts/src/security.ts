import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './pagination';

/** API.md "Admin": every kind of stored security event. */
export const SECURITY_EVENT_TYPES = ['login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked'] as const;
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
