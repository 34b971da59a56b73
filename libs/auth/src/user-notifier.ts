import type { NotificationKind, NotificationLinkType } from '@bank/contracts/notifications';

/** A notification for the user, about their own account's security. */
export interface UserNotice {
  kind: NotificationKind;
  title: string;
  body: string;
  link?: { type: NotificationLinkType; id: string } | null;
}

/**
 * Where identity tells a user of a change to their account's security (two-factor sign-in on or
 * off), in the caller's transaction. A port: the notifications library provides it app-wide
 * (its NotificationsService), so identity sits below it without importing it.
 */
export abstract class UserNotifier {
  abstract add(userId: string, notice: UserNotice): Promise<unknown>;
}
