import { Injectable } from '@nestjs/common';
import type { NotificationKind, NotificationLinkType, NotificationView } from '@bank/contracts/notifications';
import { SqlPool } from '@bank/db/sql-pool';

/** One row of a page: a notification (null when the page is empty) and the owner's unread count. */
export interface NotificationPageRow {
  unread_count: number;
  notification: NotificationView | null;
  seq: string | null;
}

const PAGE = {
  name: 'notification-page',
  // The inbox row and the page in one statement: the count and the items are of one snapshot.
  text: `select i.unread_count, page.notification, page.seq
           from notification_inbox i
           left join lateral (
             select notification_view(n) as notification, n.seq from notifications n
              where n.user_id = i.user_id and (not $2 or n.read_at is null) and ($3::bigint is null or n.seq < $3)
              order by n.seq desc limit $4) page on true
          where i.user_id = $1
          order by page.seq desc`,
};
const FIND = { name: 'notification-find', text: 'select notification_view(n) as notification from notifications n where n.id = $1 and n.user_id = $2' };
const MARK_READ = { name: 'notification-mark-read', text: 'select notifications_mark_read($1, $2, $3) as unread_count' };
const ADD = { name: 'notification-add', text: 'select notification_add($1, $2, $3, $4, $5, $6) as notification' };
const SIGN_IN = { name: 'notification-sign-in', text: 'select sign_in_note($1, $2, $3, $4) as alerted' };

/**
 * The notifications' SQL (migration Notifications). Statements join the caller's transaction when
 * there is one (SqlPool): a notification is stored with its cause.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Newest first, below `beforeSeq`; no rows when the user has no inbox. */
  page(userId: string, unreadOnly: boolean, beforeSeq: number | null, limit: number): Promise<NotificationPageRow[]> {
    return this.sql.query<NotificationPageRow>(PAGE, [userId, unreadOnly, beforeSeq, limit]);
  }

  async find(userId: string, id: string): Promise<NotificationView | null> {
    const [row] = await this.sql.query<{ notification: NotificationView }>(FIND, [id, userId]);
    return row?.notification ?? null;
  }

  /** The unread count after it; null when an addressed notification is not the user's (nothing changed). */
  async markRead(userId: string, upTo: string | null, ids: readonly string[] | null): Promise<number | null> {
    const [row] = await this.sql.query<{ unread_count: number | null }>(MARK_READ, [userId, upTo, ids]);
    return row.unread_count;
  }

  async add(userId: string, kind: NotificationKind, title: string, body: string, link: { type: NotificationLinkType; id: string } | null): Promise<NotificationView | null> {
    const [row] = await this.sql.query<{ notification: NotificationView | null }>(ADD, [userId, kind, title, body, link?.type ?? null, link?.id ?? null]);
    return row.notification;
  }

  /** Remembers the device and address; true when one was new and the user was notified (naming the device by `deviceLabel`). */
  async noteSignIn(userId: string, device: string, deviceLabel: string, address: string | null): Promise<boolean> {
    const [row] = await this.sql.query<{ alerted: boolean }>(SIGN_IN, [userId, device, deviceLabel, address]);
    return row.alerted;
  }
}
