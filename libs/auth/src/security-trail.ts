import type { SecurityEventType } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';

export interface SecurityEventInput {
  userId?: string | null;
  ip?: string | null;
  /** What happened, for admins: never a password, PIN, token or key. */
  detail?: Record<string, unknown>;
}

/**
 * Where identity writes what admins must see (failed logins, lockouts, refresh-token reuse, staff
 * created), in the caller's transaction. A port: the security library implements it and provides
 * it app-wide, so identity sits below security without importing it.
 */
export abstract class SecurityTrail {
  abstract record(type: SecurityEventType, input?: SecurityEventInput): Promise<unknown>;

  /** `user.locked` / `user.unlocked` to admins; every api process also cuts a locked user's sockets on it. */
  abstract announceUser(type: 'user.locked' | 'user.unlocked', user: UserView): Promise<void>;
}
