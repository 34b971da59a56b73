import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import type { MoneyMoved } from '@bank/contracts/ledger';
import type { TransferHeld } from '@bank/contracts/holds';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { subscribeHolds } from '../../live/subscribe-holds';
import { formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import type { MoneyFormMode } from '../money-form/money-form';
import '../money-form/money-form';
import '../account-history/account-history';
import { hashQuery, hashWith } from '../account-history/history-filter-url';
import '../customer-requests/customer-requests';
import '../pending-holds/pending-holds.component';
import type { PendingHolds } from '../pending-holds/pending-holds.component';
import type { CustomerRequests } from '../customer-requests/customer-requests';
import type { DisputeFiled } from '../transfer-dispute/transfer-dispute.component';

/**
 * A customer's home: accounts with their ledger and available balances (live), money forms, the
 * transfers held for review, the selected account's history (where sent transfers are disputed),
 * service requests.
 */
export class CustomerDashboard extends LitElement {
  static override properties = { accounts: { state: true }, selectedId: { state: true }, mode: { state: true }, error: { state: true } };
  declare accounts: AccountView[];
  declare selectedId: string | undefined;
  declare mode: MoneyFormMode;
  declare error: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('balance.updated', ({ data }) => this.setBalances(data.accountId, data.balance, data.availableBalance)),
      // A hold moves the available balance without a balance.updated: the account is read again.
      subscribeHolds(live, { hold: (hold) => void this.refreshAccount(hold.fromAccountId) }),
    ],
    () => void this.load(),
  );
  /** Accounts being read again; `again` when something changed while the read was on its way. */
  private readonly refreshing = new Map<string, 'running' | 'again'>();

  static override styles = [
    sharedStyles,
    css`
      .accounts {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(15rem, 100%), 1fr));
        margin-bottom: var(--bank-gap);
      }
      .account {
        text-align: left;
        background: var(--bank-surface);
        color: var(--bank-text);
        border: 1px solid var(--bank-border);
        box-shadow: var(--bank-shadow);
        padding: 0.9rem 1rem;
        font-weight: 400;
      }
      .account[aria-pressed='true'] {
        border: 2px solid var(--bank-accent);
      }
      .balance {
        font-size: 1.6rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .available {
        font-variant-numeric: tabular-nums;
      }
      .grid {
        display: grid;
        gap: var(--bank-gap);
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 60rem) {
        .grid {
          grid-template-columns: minmax(0, 5fr) minmax(0, 4fr);
          align-items: start;
        }
      }
      .tabs {
        display: flex;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
        flex-wrap: wrap;
      }
      .tabs button[aria-selected='false'] {
        background: transparent;
        color: var(--bank-accent);
      }
      .stack {
        display: grid;
        gap: var(--bank-gap);
      }
    `,
  ];

  constructor() {
    super();
    this.accounts = [];
    this.mode = 'transfer';
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onUrl);
    addEventListener('popstate', this.onUrl);
    void this.load();
  }

  private setBalances(accountId: string, balance: number, availableBalance: number): void {
    if (this.refreshing.has(accountId)) this.refreshing.set(accountId, 'again');
    this.accounts = this.accounts.map((account) => (account.id === accountId ? { ...account, balance, availableBalance } : account));
  }

  private setAccount(changed: AccountView): void {
    this.accounts = this.accounts.map((account) => (account.id === changed.id ? changed : account));
  }

  /**
   * Reads one account again, once at a time; a change seen while the read is on its way reads it
   * once more, so the last answer applied is never older than the last event.
   */
  private async refreshAccount(accountId: string): Promise<void> {
    if (!this.accounts.some((account) => account.id === accountId)) return;
    if (this.refreshing.has(accountId)) {
      this.refreshing.set(accountId, 'again');
      return;
    }
    try {
      do {
        this.refreshing.set(accountId, 'running');
        const account = await this.session.value!.api.account(accountId);
        if (this.refreshing.get(accountId) === 'running') this.setAccount(account);
      } while (this.refreshing.get(accountId) === 'again');
    } catch (error) {
      this.error = problemMessage(error);
    } finally {
      this.refreshing.delete(accountId);
    }
  }

  private async load(): Promise<void> {
    try {
      this.accounts = (await this.session.value!.api.accounts()).items;
      this.selectedId = this.accountInUrl() ?? this.selectedId ?? this.accounts[0]?.id;
      this.error = null;
    } catch (error) {
      this.error = problemMessage(error);
    }
  }

  /** The account the URL names (`#/?account=…`, so a reload or back/forward shows the same history), if it is one of these. */
  private accountInUrl(): string | undefined {
    const wanted = hashQuery(location.hash).get('account');
    return this.accounts.find((account) => account.id === wanted)?.id;
  }

  private readonly onUrl = () => {
    const wanted = this.accountInUrl();
    if (wanted && wanted !== this.selectedId) this.selectedId = wanted;
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onUrl);
    removeEventListener('popstate', this.onUrl);
  }

  private select(accountId: string): void {
    if (accountId === this.selectedId) return;
    this.selectedId = accountId;
    history.pushState(history.state, '', hashWith(location.hash, { account: accountId }));
  }

  private moved(event: CustomEvent<MoneyMoved>): void {
    this.setAccount(event.detail.account);
  }

  private held(event: CustomEvent<TransferHeld>): void {
    this.setAccount(event.detail.account);
    this.renderRoot.querySelector<PendingHolds>('pending-holds')?.upsert(event.detail.hold);
  }

  /** A dispute filed from the history joins the service requests at once (its `request.updated` may come later). */
  private disputeFiled(event: CustomEvent<DisputeFiled>): void {
    this.renderRoot.querySelector<CustomerRequests>('customer-requests')?.upsert(event.detail.request);
  }

  override render() {
    const selected = this.accounts.find((account) => account.id === this.selectedId);
    const modes: MoneyFormMode[] = ['transfer', 'deposit', 'withdraw'];
    return html`<h1>Your accounts</h1>
      ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : null}
      <div class="accounts">
        ${this.accounts.map(
          (account) => html`<button class="account" type="button" aria-pressed=${account.id === this.selectedId ? 'true' : 'false'} @click=${() => this.select(account.id)} data-account-id=${account.id}>
            <div class="muted">${account.type} · <span class="mono">${account.number}</span>${account.status !== 'active' ? html` · <strong>${account.status}</strong>` : null}</div>
            <div class="balance" data-balance>${formatMoney(account.balance, account.currency)}</div>
            <div class="available">
              Available <strong data-available-balance>${formatMoney(account.availableBalance, account.currency)}</strong>
              ${account.balance > account.availableBalance ? html`<span class="muted"> · ${formatMoney(account.balance - account.availableBalance, account.currency)} held for review</span>` : null}
            </div>
          </button>`,
        )}
      </div>
      <div class="grid">
        <account-history .account=${selected} @dispute-filed=${this.disputeFiled}></account-history>
        <div class="stack">
          <section class="card" aria-labelledby="move-title">
            <h2 id="move-title">Move money</h2>
            <div class="tabs" role="tablist" aria-label="Kind of payment">
              ${modes.map(
                (mode) => html`<button type="button" role="tab" aria-selected=${this.mode === mode ? 'true' : 'false'} @click=${() => (this.mode = mode)}>${mode[0].toUpperCase() + mode.slice(1)}</button>`,
              )}
            </div>
            <money-form .mode=${this.mode} .account=${selected} @money-moved=${this.moved} @transfer-held=${this.held}></money-form>
          </section>
          <pending-holds .accounts=${this.accounts}></pending-holds>
          <customer-requests .accounts=${this.accounts}></customer-requests>
        </div>
      </div>`;
  }
}
customElements.define('customer-dashboard', CustomerDashboard);
