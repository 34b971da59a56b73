import type { NotificationKind, NotificationLinkType } from '@bank/contracts/notifications';

/** A notification about the user's own account security (a password change, a session ended, two-factor changed). */
export interface SecurityNotice {
  kind: Extract<NotificationKind, `security.${string}`>;
  title: string;
  body: string;
  link?: { type: NotificationLinkType; id: string } | null;
}

/**
 * Where identity tells a user what happened to their account's security, in the caller's
 * transaction (stored and pushed like every notification). A port: the notifications library
 * implements it and provides it app-wide, so identity sits below it without importing it.
 */
export abstract class SecurityNotices {
  abstract notify(userId: string, notice: SecurityNotice): Promise<void>;
}
