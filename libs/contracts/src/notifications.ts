import { z } from 'zod';
import { PageQuerySchema, type Page } from './pagination';

/** What a notification is about (API.md "Notifications"). */
export const NOTIFICATION_KINDS = [
  'money.received',
  'money.sent',
  'hold.updated',
  'request.updated',
  'security.sign_in',
  'security.password_changed',
  'security.card_blocked',
  'security.session_revoked',
  'security.mfa_changed',
  // A scheduled transfer's run that the bank refused (its code in the body).
  'schedule.refused',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_LINK_TYPES = ['transaction', 'hold', 'request', 'session'] as const;
export type NotificationLinkType = (typeof NOTIFICATION_LINK_TYPES)[number];

/** `notification` of API.md: a stored, per-user record of something the user should know. */
export interface NotificationView {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: { type: NotificationLinkType; id: string } | null;
  readAt: string | null;
  createdAt: string;
}

/** `GET /notifications`: a page, newest first, and how many of all the caller's notifications are unread. */
export type NotificationPage = Page<NotificationView> & { unreadCount: number };

/** `GET /notifications?unread=true&limit&cursor`. */
export const NotificationListQuerySchema = PageQuerySchema.extend({
  unread: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuerySchema>;

/** How many notifications one `POST /notifications/read` may name. */
export const NOTIFICATION_READ_IDS_MAX = 100;

/**
 * `POST /notifications/read`: `{upTo: id}` marks that notification and every older one read;
 * `{ids: [id]}` marks exactly those. Exactly one of the two.
 */
export const MarkNotificationsReadSchema = z
  .strictObject({
    upTo: z.uuid({ error: 'must be a notification id (UUID)' }).optional(),
    ids: z
      .array(z.uuid({ error: 'must be a notification id (UUID)' }))
      .min(1, { error: 'must name at least one notification' })
      .max(NOTIFICATION_READ_IDS_MAX, { error: `must name at most ${NOTIFICATION_READ_IDS_MAX} notifications` })
      .optional(),
  })
  .refine((body) => (body.upTo === undefined) !== (body.ids === undefined), { error: 'give either upTo or ids', path: ['upTo'] });
export type MarkNotificationsRead = z.infer<typeof MarkNotificationsReadSchema>;

/** The answer of `POST /notifications/read`, and the data of the `notifications.read` event. */
export interface UnreadCount {
  unreadCount: number;
}

/** The data of the `notification.created` event. */
export interface NotificationCreatedData extends UnreadCount {
  notification: NotificationView;
}
