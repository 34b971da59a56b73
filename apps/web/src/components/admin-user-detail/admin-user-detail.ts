import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AdminUserDetail as UserDetail } from '@bank/contracts/admin';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { describeSecurityEvent } from '../threat-feed/threat-feed';

/**
 * One user as an admin sees them: status and the lock's facts, accounts, live sessions and the
 * latest security events, kept current by the live feed; lock with a reason, unlock with the
 * admin key (asked for each time, kept nowhere).
 */
export class AdminUserDetail extends LitElement {
  static override properties = {
    userId: { type: String, attribute: 'user-id' },
    detail: { state: true },
    message: { state: true },
    busy: { state: true },
  };
  declare userId: string;
  declare detail: UserDetail | null;
  declare message: string | null;
  declare busy: boolean;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('user.locked', ({ data }) => data.id === this.userId && void this.load()),
      live.on('user.unlocked', ({ data }) => data.id === this.userId && void this.load()),
      live.on('security.event', ({ data }) => data.userId === this.userId && void this.load()),
    ],
    () => void this.load(),
  );

  static override styles = [
    sharedStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.3rem 1rem;
        margin: 0 0 1rem;
      }
      dt {
        color: var(--bank-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.3rem;
      }
      li {
        border-bottom: 1px solid var(--bank-border);
        padding: 0.3rem 0;
        overflow-wrap: anywhere;
      }
      form.row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      form.row label {
        flex: 1 1 14rem;
      }
      dialog {
        background: var(--bank-surface);
        color: var(--bank-text);
        border: 1px solid var(--bank-border);
        border-radius: var(--bank-radius);
        max-width: 26rem;
      }
    `,
  ];

  constructor() {
    super();
    this.userId = '';
    this.detail = null;
    this.message = null;
    this.busy = false;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('userId') && this.userId) void this.load();
  }

  private get api() {
    return this.session.value!.api;
  }

  private async load(): Promise<void> {
    try {
      this.detail = await this.api.user(this.userId);
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private async act(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    try {
      await work();
      this.message = null;
      await this.load();
    } catch (error) {
      this.message = problemMessage(error);
    } finally {
      this.busy = false;
    }
  }

  private readonly lock = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const reason = String(new FormData(form).get('reason') ?? '').trim();
    if (!reason) {
      this.message = 'Give a reason for the lock.';
      return;
    }
    void this.act(async () => {
      await this.api.lockUser(this.userId, reason);
      form.reset();
    });
  };

  private readonly askToUnlock = () => this.renderRoot.querySelector('dialog')?.showModal();

  private readonly unlock = (event: SubmitEvent) => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('adminKey') as HTMLInputElement;
    const key = input.value;
    input.value = ''; // the key is used for this one call and kept nowhere
    this.renderRoot.querySelector('dialog')?.close();
    if (key) void this.act(() => this.api.unlockUser(this.userId, key));
  };

  override render() {
    const user = this.detail;
    const me = this.session.value?.user?.id;
    return html`<p><a href="#/">← Admin console</a></p>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${user
        ? html`<h1>${user.fullName}</h1>
            <section class="card" aria-labelledby="user-facts">
              <h2 id="user-facts">Profile</h2>
              <dl>
                <dt>Email</dt>
                <dd>${user.email}</dd>
                <dt>Role</dt>
                <dd>${user.role}</dd>
                <dt>Status</dt>
                <dd data-user-status=${user.status} class=${user.status === 'locked' ? 'negative' : 'positive'}>${user.status === 'locked' ? 'Locked' : 'Active'}</dd>
                ${user.status === 'locked'
                  ? html`<dt>Locked</dt>
                      <dd>${user.lockedAt ? formatDateTime(user.lockedAt) : ''}${user.lockReason ? ` · ${user.lockReason}` : ''}</dd>`
                  : null}
                <dt>Failed sign-ins in a row</dt>
                <dd>${user.failedLogins}</dd>
                <dt>Live sessions</dt>
                <dd data-sessions>${user.sessions}</dd>
                <dt>Customer since</dt>
                <dd>${formatDateTime(user.createdAt)}</dd>
              </dl>
              ${user.status === 'locked'
                ? html`<button type="button" ?disabled=${this.busy} @click=${this.askToUnlock}>Unlock…</button>`
                : user.id === me
                  ? html`<p class="muted">You cannot lock yourself.</p>`
                  : html`<form class="row" @submit=${this.lock} novalidate>
                      <label>Reason for the lock <input name="reason" maxlength="500" /></label>
                      <button type="submit" class="danger" ?disabled=${this.busy}>Lock</button>
                    </form>`}
            </section>
            <section class="card" aria-labelledby="user-accounts">
              <h2 id="user-accounts">Accounts</h2>
              ${user.accounts.length === 0
                ? html`<p class="muted">No accounts.</p>`
                : html`<ul>
                    ${user.accounts.map(
                      (a) => html`<li><span class="mono">${a.number}</span> · ${a.type} · ${a.status} · ${formatMoney(a.balance, a.currency)}
                        ${a.availableBalance !== a.balance ? html`<span class="muted">(${formatMoney(a.availableBalance, a.currency)} available)</span>` : null}</li>`,
                    )}
                  </ul>`}
            </section>
            <section class="card" aria-labelledby="user-events">
              <h2 id="user-events">Recent security events</h2>
              ${user.recentSecurityEvents.length === 0
                ? html`<p class="muted">No security events for this user.</p>`
                : html`<ul>
                    ${user.recentSecurityEvents.map(
                      (e) => html`<li data-event-type=${e.type}><strong>${e.type}</strong> <span class="muted">${formatDateTime(e.createdAt)}${e.ip ? ` · ${e.ip}` : ''}</span>
                        <div>${describeSecurityEvent(e)}</div></li>`,
                    )}
                  </ul>`}
            </section>
            <dialog aria-labelledby="unlock-title">
              <form @submit=${this.unlock}>
                <h2 id="unlock-title">Unlock ${user.email}</h2>
                <label>Admin key <input name="adminKey" type="password" autocomplete="off" required /></label>
                <div class="row">
                  <button type="submit">Unlock</button>
                  <button type="button" class="secondary" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Cancel</button>
                </div>
              </form>
            </dialog>`
        : this.message
          ? null
          : html`<p class="muted" role="status">Loading…</p>`}`;
  }
}
customElements.define('admin-user-detail', AdminUserDetail);
