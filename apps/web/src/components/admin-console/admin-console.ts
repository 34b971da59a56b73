import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AdminStats } from '@bank/contracts/admin';
import type { LedgerCheck, TransactionView } from '@bank/contracts/ledger';
import type { SecurityEventView } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import type { RequestView } from '@bank/contracts/requests';
import type { Page } from '@bank/contracts/pagination';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS } from '../request-labels';
import '../request-reassign/request-reassign.component';

const FEED_MAX = 200;

/**
 * The admins' console: the live threat feed, locked users with unlock (the admin key is asked
 * for each time and never kept), lock with a reason, every transaction and request, the ledger
 * check and the queue board.
 */
export class AdminConsole extends LitElement {
  static override properties = {
    feed: { state: true },
    users: { state: true },
    stats: { state: true },
    transactions: { state: true },
    requests: { state: true },
    transactionsCursor: { state: true },
    requestsCursor: { state: true },
    ledger: { state: true },
    message: { state: true },
    unlocking: { state: true },
  };
  declare feed: SecurityEventView[];
  declare users: UserView[];
  declare stats: AdminStats | null;
  declare transactions: TransactionView[];
  declare requests: RequestView[];
  declare transactionsCursor: string | null;
  declare requestsCursor: string | null;
  declare ledger: LedgerCheck | null;
  declare message: string | null;
  declare unlocking: UserView | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('security.event', ({ data }) => (this.feed = [data, ...this.feed.filter((e) => e.id !== data.id)].slice(0, FEED_MAX))),
      live.on('user.locked', ({ data }) => this.setUser(data)),
      live.on('user.unlocked', ({ data }) => this.setUser(data)),
    ],
    () => void this.load(),
  );

  static override styles = [
    sharedStyles,
    css`
      .grid {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr));
        align-items: start;
      }
      .stats {
        display: grid;
        gap: 0.5rem;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
        margin-bottom: 1rem;
      }
      .stat strong {
        display: block;
        font-size: 1.3rem;
      }
      .feed {
        max-height: 24rem;
        overflow-y: auto;
      }
      ol,
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.4rem;
      }
      li {
        border-bottom: 1px solid var(--bank-border);
        padding: 0.35rem 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .row label {
        flex: 1 1 10rem;
      }
      section h2:not(:first-child) {
        margin-top: 1.25rem;
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
    this.feed = [];
    this.users = [];
    this.stats = null;
    this.transactions = [];
    this.requests = [];
    this.transactionsCursor = null;
    this.requestsCursor = null;
    this.ledger = null;
    this.message = null;
    this.unlocking = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get api() {
    return this.session.value!.api;
  }

  private setUser(user: UserView): void {
    this.users = [user, ...this.users.filter((u) => u.id !== user.id)];
    void this.api.stats().then((stats) => (this.stats = stats), () => undefined);
  }

  private async load(): Promise<void> {
    try {
      const [feed, users, stats, transactions, requests] = await Promise.all([
        this.api.securityEvents({ limit: 50 }),
        this.api.users({ limit: 100 }),
        this.api.stats(),
        this.api.allTransactions({ limit: 20 }),
        this.api.serviceRequests({ limit: 20 }),
      ]);
      this.feed = feed.items;
      this.users = users.items;
      this.stats = stats;
      this.transactions = transactions.items;
      this.transactionsCursor = transactions.nextCursor;
      this.requests = requests.items;
      this.requestsCursor = requests.nextCursor;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private async lock(event: SubmitEvent, user: UserView): Promise<void> {
    event.preventDefault();
    const reason = String(new FormData(event.target as HTMLFormElement).get('reason') ?? '').trim();
    if (!reason) {
      this.message = `Give a reason to lock ${user.email}.`;
      return;
    }
    try {
      this.setUser(await this.api.lockUser(user.id, reason));
      this.message = null;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private askToUnlock(user: UserView): void {
    this.unlocking = user;
    void this.updateComplete.then(() => this.renderRoot.querySelector('dialog')?.showModal());
  }

  private async unlock(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('adminKey') as HTMLInputElement;
    const key = input.value;
    input.value = ''; // the key is used for this one call and kept nowhere
    const user = this.unlocking;
    if (!user || !key) return;
    try {
      this.setUser(await this.api.unlockUser(user.id, key));
      this.closeDialog();
      this.message = null;
    } catch (error) {
      this.message = problemMessage(error);
      this.closeDialog();
    }
  }

  private closeDialog(): void {
    this.renderRoot.querySelector('dialog')?.close();
    this.unlocking = null;
  }

  /** The next page of a list: fetched from its cursor, then handed to `append`. */
  private async more<T>(fetchPage: () => Promise<Page<T>>, append: (page: Page<T>) => void): Promise<void> {
    try {
      append(await fetchPage());
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private readonly moreTransactions = () =>
    this.more(
      () => this.api.allTransactions({ limit: 50, cursor: this.transactionsCursor }),
      (page) => ((this.transactions = [...this.transactions, ...page.items]), (this.transactionsCursor = page.nextCursor)),
    );

  private readonly moreRequests = () =>
    this.more(
      () => this.api.serviceRequests({ limit: 50, cursor: this.requestsCursor }),
      (page) => ((this.requests = [...this.requests, ...page.items]), (this.requestsCursor = page.nextCursor)),
    );

  private async checkLedger(): Promise<void> {
    try {
      this.ledger = await this.api.ledgerCheck();
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private async openQueueBoard(): Promise<void> {
    try {
      await this.api.openQueueBoard();
      window.open('/admin/queues', '_blank', 'noopener');
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private describe(event: SecurityEventView): string {
    const detail = event.detail as Record<string, unknown>;
    const bits = [detail.email, detail.reason, detail.limit].filter((bit) => typeof bit === 'string');
    return bits.join(' · ');
  }

  override render() {
    const locked = this.users.filter((user) => user.status === 'locked');
    const me = this.session.value?.user?.id;
    return html`<h1>Admin console</h1>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${this.stats
        ? html`<div class="stats">
            <div class="card stat">Customers<strong>${this.stats.customers}</strong></div>
            <div class="card stat">Locked users<strong data-locked-count>${this.stats.lockedUsers}</strong></div>
            <div class="card stat">Customer money<strong>${formatMoney(this.stats.totalCustomerBalance, 'USD')}</strong></div>
            <div class="card stat">Transactions today<strong>${this.stats.transactionsToday}</strong></div>
            <div class="card stat">Open requests<strong>${this.stats.openRequests}</strong></div>
            <div class="card stat" data-pending-holds>
              Transfers held for review<strong data-pending-holds-count>${this.stats.pendingHolds.count}</strong>
              <span class="muted" data-pending-holds-amount>${formatMoney(this.stats.pendingHolds.amount, 'USD')} reserved</span>
            </div>
          </div>`
        : null}
      <div class="grid">
        <section class="card" aria-labelledby="feed-title">
          <h2 id="feed-title">Threat feed</h2>
          <ol class="feed" aria-live="polite" aria-label="Security events, newest first">
            ${this.feed.map(
              (event) => html`<li data-event-type=${event.type}>
                <strong>${event.type}</strong> <span class="muted">${formatDateTime(event.createdAt)}${event.ip ? ` · ${event.ip}` : ''}</span>
                <div>${this.describe(event)}</div>
              </li>`,
            )}
          </ol>
        </section>
        <section class="card" aria-labelledby="locked-title">
          <h2 id="locked-title">Locked users (${locked.length})</h2>
          <ul aria-label="Locked users">
            ${locked.map(
              (user) => html`<li data-user-id=${user.id}>
                <div class="row"><span>${user.fullName} · ${user.email}</span><button type="button" @click=${() => this.askToUnlock(user)}>Unlock…</button></div>
              </li>`,
            )}
          </ul>
          ${locked.length === 0 ? html`<p class="muted">Nobody is locked.</p>` : null}
          <h2>Lock a user</h2>
          <ul aria-label="Active users">
            ${this.users
              .filter((user) => user.status === 'active' && user.id !== me)
              .slice(0, 20)
              .map(
                (user) => html`<li>
                  <form class="row" @submit=${(event: SubmitEvent) => this.lock(event, user)} novalidate>
                    <label>${user.email} — reason <input name="reason" maxlength="500" /></label>
                    <button type="submit" class="danger">Lock</button>
                  </form>
                </li>`,
              )}
          </ul>
        </section>
        <section class="card" aria-labelledby="ledger-title">
          <h2 id="ledger-title">Ledger</h2>
          <div class="row">
            <button type="button" @click=${this.checkLedger}>Run the ledger check</button>
            <button type="button" class="secondary" @click=${this.openQueueBoard}>Open the queue board</button>
          </div>
          ${this.ledger
            ? html`<p class=${this.ledger.balanced ? 'positive' : 'negative'} role="status">
                ${this.ledger.balanced ? 'Balanced' : 'NOT balanced'}: ${this.ledger.accounts} accounts, ${this.ledger.mismatches.length} mismatches.
              </p>`
            : null}
          <h2>All transactions, newest first</h2>
          <table>
            <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col" class="amount">Amount</th></tr></thead>
            <tbody>
              ${this.transactions.map((t) => html`<tr><td>${formatDateTime(t.createdAt)}</td><td>${t.kind}</td><td class="amount">${formatMoney(t.amount, t.currency)}</td></tr>`)}
            </tbody>
          </table>
          ${this.transactionsCursor ? html`<button type="button" class="secondary" @click=${this.moreTransactions}>More transactions</button>` : null}
          <h2>All requests</h2>
          <ul>
            ${this.requests.map(
              (r) =>
                html`<li>
                  ${REQUEST_TYPE_LABELS[r.type]} · ${REQUEST_STATUS_LABELS[r.status]} <span class="muted">${formatDateTime(r.createdAt)}</span>
                  ${r.status === 'pending_review' || r.status === 'in_review' ? html`<request-reassign request-id=${r.id}></request-reassign>` : null}
                </li>`,
            )}
          </ul>
          ${this.requestsCursor ? html`<button type="button" class="secondary" @click=${this.moreRequests}>More requests</button>` : null}
        </section>
      </div>
      <dialog aria-labelledby="unlock-title" @close=${() => (this.unlocking = null)}>
        <form @submit=${this.unlock}>
          <h2 id="unlock-title">Unlock ${this.unlocking?.email ?? ''}</h2>
          <label>Admin key <input name="adminKey" type="password" autocomplete="off" required /></label>
          <div class="row">
            <button type="submit">Unlock</button>
            <button type="button" class="secondary" @click=${this.closeDialog}>Cancel</button>
          </div>
        </form>
      </dialog>`;
  }
}
customElements.define('admin-console', AdminConsole);
