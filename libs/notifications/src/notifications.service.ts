import { Injectable } from '@nestjs/common';
import type { MarkNotificationsRead, NotificationKind, NotificationLinkType, NotificationListQuery, NotificationPage, NotificationView, UnreadCount } from '@bank/contracts/notifications';
import { decodeSeqCursor, encodeSeqCursor } from '@bank/db/page-cursor';
import { NotFound } from '@bank/problems/domain-error';
import { NotificationsRepository } from './notifications.repository';

/** A notification another feature adds (e.g. issue 19's password, session and MFA changes). */
export interface NewNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  link?: { type: NotificationLinkType; id: string } | null;
}

/**
 * The notification center (API.md "Notifications"): a user's own notifications, their unread
 * count, and marking them read. Money, holds, requests and blocked cards are notified by the
 * database itself, in the transaction of their cause (migration Notifications); other features
 * call `add` inside theirs.
 */
@Injectable()
export class NotificationsService {
  constructor(private readonly notifications: NotificationsRepository) {}

  async list(userId: string, query: NotificationListQuery): Promise<NotificationPage> {
    const rows = await this.notifications.page(userId, query.unread ?? false, decodeSeqCursor(query.cursor), query.limit + 1);
    const found = rows.filter((row) => row.notification !== null);
    const items = found.slice(0, query.limit);
    return {
      items: items.map((row) => row.notification as NotificationView),
      nextCursor: found.length > query.limit ? encodeSeqCursor(Number(items[items.length - 1].seq)) : null,
      unreadCount: rows[0]?.unread_count ?? 0,
    };
  }

  /** One of the caller's own; anyone else's is 404 like one that does not exist (ids are not probed). */
  async get(userId: string, id: string): Promise<NotificationView> {
    const notification = await this.notifications.find(userId, id);
    if (!notification) throw new NotFound('The notification');
    return notification;
  }

  /**
   * Marks the caller's notifications read (up to one, or the listed ones); every device of theirs
   * gets `notifications.read` with the new count. A notification that is not the caller's is 404
   * and nothing changes.
   */
  async markRead(userId: string, body: MarkNotificationsRead): Promise<UnreadCount> {
    const unreadCount = await this.notifications.markRead(userId, body.upTo ?? null, body.ids ? [...new Set(body.ids)] : null);
    if (unreadCount === null) throw new NotFound('The notification');
    return { unreadCount };
  }

  /**
   * Adds a notification for a user and pushes it (`notification.created`) to their devices. Call
   * it inside the transaction of its cause, after the cause's own writes (it takes the user's
   * inbox lock, which is taken last everywhere). Null when there is no such user.
   */
  add(userId: string, notification: NewNotification): Promise<NotificationView | null> {
    return this.notifications.add(userId, notification.kind, notification.title, notification.body, notification.link ?? null);
  }
}
