/** Who presents an admin key, from where, for what: each is a scope the wrong-key throttle counts in. */
export interface AdminKeyAttempt {
  adminId: string;
  ip: string | null;
  /** The user the key would act on: an existing one (unlock) or the email of one being created (a new admin). */
  target: { userId: string } | { email: string };
  presentedKey: string | undefined;
}

/**
 * The `X-Admin-Key` check with its wrong-key throttle (the security library implements it and
 * provides it app-wide). A port, so identity (creating an admin) uses it without importing security.
 */
export abstract class AdminKeyCheck {
  /** Passes, or throws 403 ADMIN_KEY_INVALID (the failure recorded) / 429 RATE_LIMITED while suspended. */
  abstract verify(attempt: AdminKeyAttempt): Promise<void>;
}
