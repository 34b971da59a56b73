import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AdminStats } from '@bank/contracts/admin';
import type { LedgerCheck, TransactionView } from '@bank/contracts/ledger';
import type { SecurityEventType, SecurityEventView } from '@bank/contracts/security';
import type { RequestView } from '@bank/contracts/requests';
import { PAGE_LIMIT_MAX, type Page } from '@bank/contracts/pagination';
import type { UserView } from '@bank/contracts/users';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS } from '../request-labels';
import { ThreatFeed } from '../threat-feed/threat-feed';
import type { AdminUserSearch } from '../admin-user-search/admin-user-search';
import '../threat-feed/threat-feed';
import '../admin-user-search/admin-user-search';
import '../admin-user-detail/admin-user-detail';
import '../request-reassign/request-reassign.component';

/** `#/admin/users/<id>`: one user's page instead of the console. */
const USER_PAGE = /^#\/admin\/users\/([0-9a-f-]{36})$/;

/**
 * The admins' console: figures kept live by the `admin.stats` signal, the threat feed (live, by
 * type, with a pause), the user search (each result opens the user's page, where locking and
 * unlocking happen), every transaction and request, the ledger check and the queue board.
 */
export class AdminConsole extends LitElement {
  static override properties = {
    feed: { state: true },
    stats: { state: true },
    userPageId: { state: true },
    transactions: { state: true },
    requests: { state: true },
    employees: { state: true },
    transactionsCursor: { state: true },
    requestsCursor: { state: true },
    ledger: { state: true },
    message: { state: true },
  };
  declare feed: SecurityEventView[];
  declare stats: AdminStats | null;
  /** The user whose page is open (`#/admin/users/<id>`), or null for the console. */
  declare userPageId: string | null;
  declare transactions: TransactionView[];
  declare requests: RequestView[];
  /** The active employees a request can be reassigned to (the first page). */
  declare employees: UserView[];
  declare transactionsCursor: string | null;
  declare requestsCursor: string | null;
  declare ledger: LedgerCheck | null;
  declare message: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('security.event', ({ data }) => (this.feed = ThreatFeed.merge(this.feed, [data]))),
      live.on('user.locked', ({ data }) => this.search()?.updateUser(data)),
      live.on('user.unlocked', ({ data }) => this.search()?.updateUser(data)),
      live.onSignal('admin.stats', (stats) => (this.stats = stats)),
    ],
    () => void this.load(),
  );

  static override styles = [
    sharedStyles,
    css`
      .grid {
        display: grid;
        gap: var(--bank-gap);
        grid-template-columns: repeat(auto-fit, minmax(min(22rem, 100%), 1fr));
        align-items: start;
      }
      .stats {
        display: grid;
        gap: 0.5rem;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
        margin-bottom: var(--bank-gap);
      }
      .stat strong {
        display: block;
        font-size: 1.3rem;
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
    `,
  ];

  constructor() {
    super();
    this.feed = [];
    this.stats = null;
    this.transactions = [];
    this.requests = [];
    this.employees = [];
    this.transactionsCursor = null;
    this.requestsCursor = null;
    this.ledger = null;
    this.message = null;
    this.userPageId = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.route);
    this.route();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.route);
  }

  private readonly route = () => {
    this.userPageId = USER_PAGE.exec(location.hash)?.[1] ?? null;
  };

  private search(): AdminUserSearch | null {
    return this.renderRoot.querySelector('admin-user-search');
  }

  private get api() {
    return this.session.value!.api;
  }

  private async load(): Promise<void> {
    try {
      const [feed, stats, transactions, requests, employees] = await Promise.all([
        this.api.securityEvents({ limit: 50 }),
        this.api.stats(),
        this.api.allTransactions({ limit: 20 }),
        this.api.serviceRequests({ limit: 20 }),
        this.api.users({ role: 'employee', status: 'active', limit: PAGE_LIMIT_MAX }),
      ]);
      this.employees = employees.items;
      this.feed = ThreatFeed.merge(this.feed, feed.items);
      this.stats = stats;
      this.transactions = transactions.items;
      this.transactionsCursor = transactions.nextCursor;
      this.requests = requests.items;
      this.requestsCursor = requests.nextCursor;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  /** A type chosen in the feed: its older events too, not only those already loaded. */
  private readonly loadFeedType = (event: CustomEvent<SecurityEventType | ''>) =>
    this.more(
      () => this.api.securityEvents({ limit: 50, ...(event.detail ? { type: event.detail } : {}) }),
      (page) => (this.feed = ThreatFeed.merge(this.feed, page.items)),
    );

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

  override render() {
    if (this.userPageId) return html`<admin-user-detail user-id=${this.userPageId}></admin-user-detail>`;
    return html`<h1>Admin console</h1>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${this.stats
        ? html`<div class="stats" aria-label="Figures, kept live">
            <div class="card stat">Customers<strong data-customers-count>${this.stats.customers}</strong></div>
            <div class="card stat">Locked users<strong data-locked-count>${this.stats.lockedUsers}</strong></div>
            <div class="card stat">Customer money<strong>${formatMoney(this.stats.totalCustomerBalance, 'USD')}</strong></div>
            <div class="card stat">Transactions today<strong data-transactions-today>${this.stats.transactionsToday}</strong></div>
            <div class="card stat">Open requests<strong data-open-requests>${this.stats.openRequests}</strong></div>
            <div class="card stat" data-pending-holds>
              Transfers held for review<strong data-pending-holds-count>${this.stats.pendingHolds.count}</strong>
              <span class="muted" data-pending-holds-amount>${formatMoney(this.stats.pendingHolds.amount, 'USD')} reserved</span>
            </div>
          </div>`
        : null}
      <div class="grid">
        <section class="card" aria-labelledby="feed-title">
          <h2 id="feed-title">Threat feed</h2>
          <threat-feed .events=${this.feed} @feed-type=${this.loadFeedType}></threat-feed>
        </section>
        <section class="card" aria-labelledby="users-title">
          <h2 id="users-title">Users</h2>
          <admin-user-search></admin-user-search>
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
          <table class="stacked">
            <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col" class="amount">Amount</th></tr></thead>
            <tbody>
              ${this.transactions.map((t) => html`<tr><td>${formatDateTime(t.createdAt)}</td><td>${t.kind}</td><td class="amount">${formatMoney(t.amount, t.currency)}</td></tr>`)}
            </tbody>
          </table>
          ${this.transactionsCursor ? html`<button type="button" class="secondary" @click=${this.moreTransactions}>More transactions</button>` : null}
          <h2>All requests</h2>
          <ul class="rows">
            ${this.requests.map(
              (r) =>
                html`<li>
                  ${REQUEST_TYPE_LABELS[r.type]} · ${REQUEST_STATUS_LABELS[r.status]} <span class="muted">${formatDateTime(r.createdAt)}</span>
                  ${r.status === 'pending_review' || r.status === 'in_review' ? html`<request-reassign request-id=${r.id} .employees=${this.employees}></request-reassign>` : null}
                </li>`,
            )}
          </ul>
          ${this.requestsCursor ? html`<button type="button" class="secondary" @click=${this.moreRequests}>More requests</button>` : null}
        </section>
      </div>`;
  }
}
customElements.define('admin-console', AdminConsole);
