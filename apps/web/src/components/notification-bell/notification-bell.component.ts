import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import type { NotificationView } from '@bank/contracts/notifications';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { notificationBellStyles } from './notification-bell.styles';

/** How many notifications the panel shows (the newest). */
const PANEL_SIZE = 20;

/**
 * The notification center in the header, for every signed-in role: a bell whose badge is the
 * unread count, and a panel of the newest notifications (click one to mark it read; "Mark all
 * read"). The count follows `notification.created` / `notifications.read` — the same on every tab
 * and device — and is fetched again over REST whenever the live connection (re)connects. New
 * notifications are announced to screen readers through a polite `role="status"` region.
 */
export class NotificationBell extends LitElement {
  static override properties = {
    open: { state: true },
    items: { state: true },
    unread: { state: true },
    announcement: { state: true },
    message: { state: true },
  };
  declare open: boolean;
  declare items: NotificationView[];
  declare unread: number;
  declare announcement: string;
  declare message: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  /** Bumped by every event: a REST answer that raced an event is fetched again rather than trusted. */
  private eventsSeen = 0;
  private readonly live = new LiveSubscriptions(
    this,
    (live) => {
      const onState = () => {
        if (live.state === 'live') void this.load();
      };
      live.addEventListener('state', onState);
      return [
        live.on('notification.created', ({ data }) => {
          this.eventsSeen++;
          this.unread = data.unreadCount;
          this.items = [data.notification, ...this.items.filter((n) => n.id !== data.notification.id)].slice(0, PANEL_SIZE);
          this.announcement = `New notification: ${data.notification.title}. ${data.notification.body}`;
        }),
        live.on('notifications.read', ({ data }) => {
          this.eventsSeen++;
          this.unread = data.unreadCount;
          // Another tab read some: which ones, only the server knows.
          void this.load();
        }),
        () => live.removeEventListener('state', onState),
      ];
    },
    () => void this.load(),
  );

  static override styles = [sharedStyles, notificationBellStyles];

  constructor() {
    super();
    this.open = false;
    this.items = [];
    this.unread = 0;
    this.announcement = '';
    this.message = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('keydown', this.onKey);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('keydown', this.onKey);
  }

  private readonly onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.open) {
      this.open = false;
      this.renderRoot.querySelector<HTMLButtonElement>('button.bell')?.focus();
    }
  };

  private async load(attempts = 3): Promise<void> {
    const api = this.session.value?.api;
    if (!api) return;
    const seenBefore = this.eventsSeen;
    try {
      const page = await api.notifications({ limit: PANEL_SIZE });
      if (this.eventsSeen !== seenBefore && attempts > 1) return this.load(attempts - 1);
      this.items = page.items;
      this.unread = page.unreadCount;
      this.message = null;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private async markRead(body: { upTo: string } | { ids: string[] }): Promise<void> {
    try {
      const { unreadCount } = await this.session.value!.api.markNotificationsRead(body);
      this.unread = unreadCount;
      const now = new Date().toISOString();
      const index = 'upTo' in body ? this.items.findIndex((n) => n.id === body.upTo) : -1;
      this.items = this.items.map((n, i) => (n.readAt === null && ('ids' in body ? body.ids.includes(n.id) : i >= index) ? { ...n, readAt: now } : n));
      this.message = null;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private toggle(): void {
    this.open = !this.open;
    if (this.open) void this.load();
  }

  override render() {
    const label = this.unread === 0 ? 'Notifications, none unread' : `Notifications, ${this.unread} unread`;
    return html`<button class="bell" type="button" aria-label=${label} aria-expanded=${this.open ? 'true' : 'false'} aria-controls="notification-panel" data-unread=${this.unread} @click=${this.toggle}>
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"></path>
          <path d="M13.7 21a2 2 0 0 1-3.4 0"></path>
        </svg>
        ${this.unread > 0 ? html`<span class="badge" aria-hidden="true" data-badge>${this.unread > 99 ? '99+' : this.unread}</span>` : null}
      </button>
      <span class="visually-hidden" role="status" aria-live="polite" data-announcement>${this.announcement}</span>
      ${this.open ? this.panel() : null}`;
  }

  private panel() {
    return html`<section id="notification-panel" class="panel" aria-label="Notifications">
      <div class="head">
        <h2>Notifications</h2>
        <button class="secondary" type="button" ?disabled=${this.unread === 0 || this.items.length === 0} @click=${() => this.markRead({ upTo: this.items[0].id })}>Mark all read</button>
      </div>
      ${this.message ? html`<p class="negative" role="alert">${this.message}</p>` : null}
      ${this.items.length === 0
        ? html`<p class="muted">Nothing yet: money in and out, held transfers, requests and security alerts will show here.</p>`
        : html`<ul>
            ${repeat(
              this.items,
              (n) => n.id,
              (n) =>
                html`<li>
                  <button class="item" type="button" ?data-unread=${n.readAt === null} data-notification-id=${n.id} @click=${() => n.readAt === null && this.markRead({ ids: [n.id] })}>
                    <span class="title">${n.title}${n.readAt === null ? html`<span class="visually-hidden"> (unread)</span>` : null}</span>
                    <span>${n.body}</span>
                    <span class="time">${formatDateTime(n.createdAt)}</span>
                  </button>
                </li>`,
            )}
          </ul>`}
    </section>`;
  }
}
customElements.define('notification-bell', NotificationBell);
