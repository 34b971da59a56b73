import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import type { EntryView } from '@bank/contracts/ledger';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { historyCsv } from './history-csv';
import '../balance-chart/balance-chart';

const PAGE = 25;

/**
 * One account's history, newest first, with the balance after each entry: pages are fetched by
 * keyset cursor as the end of the list scrolls into view; live `transaction.posted` events for
 * this account are added on top (once each). Also the balance chart and the CSV export.
 */
export class AccountHistory extends LitElement {
  static override properties = { account: { attribute: false }, entries: { state: true }, nextCursor: { state: true }, loading: { state: true }, error: { state: true } };
  declare account: AccountView | undefined;
  declare entries: EntryView[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare error: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('transaction.posted', ({ data }) => {
        if (data.accountId !== this.account?.id || this.entries.some((entry) => entry.id === data.id)) return;
        const { accountId: _accountId, ...entry } = data;
        this.entries = [entry, ...this.entries];
      }),
    ],
    () => void this.reload(),
  );
  private observer: IntersectionObserver | undefined;
  private loadedFor: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
      }
      .scroll {
        max-height: 28rem;
        overflow-y: auto;
      }
      .sentinel {
        height: 1px;
      }
      td small {
        display: block;
        color: var(--bank-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.entries = [];
    this.nextCursor = null;
    this.loading = false;
    this.error = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = undefined;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('account') && this.account?.id !== this.loadedFor) void this.reload();
    const sentinel = this.renderRoot.querySelector('.sentinel');
    if (sentinel && !this.observer) {
      this.observer = new IntersectionObserver((seen) => seen.some((entry) => entry.isIntersecting) && void this.loadMore(), { root: this.renderRoot.querySelector('.scroll') });
      this.observer.observe(sentinel);
    }
  }

  private async reload(): Promise<void> {
    if (!this.account) return;
    this.loadedFor = this.account.id;
    this.entries = [];
    this.nextCursor = null;
    await this.fetchPage(null);
  }

  private async loadMore(): Promise<void> {
    if (this.nextCursor && !this.loading) await this.fetchPage(this.nextCursor);
  }

  private async fetchPage(cursor: string | null): Promise<void> {
    const account = this.account;
    if (!account) return;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.session.value!.api.history(account.id, { limit: PAGE, cursor });
      if (account.id !== this.account?.id) return;
      const known = new Set(this.entries.map((entry) => entry.id));
      this.entries = [...this.entries, ...page.items.filter((entry) => !known.has(entry.id))];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = problemMessage(error);
    } finally {
      this.loading = false;
    }
  }

  /** The whole history (every page), as a CSV download. */
  private async exportCsv(): Promise<void> {
    const account = this.account;
    if (!account) return;
    const all: EntryView[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.session.value!.api.history(account.id, { limit: 100, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([historyCsv(all)], { type: 'text/csv' }));
    link.download = `bankingcore-${account.number}-history.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  override render() {
    const currency = this.account?.currency ?? 'USD';
    return html`<section class="card" aria-labelledby="history-title">
      <div class="head">
        <h2 id="history-title">History</h2>
        <button class="secondary" type="button" @click=${this.exportCsv} ?disabled=${!this.account}>Export CSV</button>
      </div>
      <balance-chart .entries=${this.entries} currency=${currency}></balance-chart>
      ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : null}
      <div class="scroll" tabindex="0" aria-label="Transactions, newest first">
        <table>
          <thead>
            <tr><th scope="col">When</th><th scope="col">What</th><th scope="col" class="amount">Amount</th><th scope="col" class="amount">Balance</th></tr>
          </thead>
          <tbody>
            ${this.entries.map(
              (entry) => html`<tr data-entry-id=${entry.id}>
                <td>${formatDateTime(entry.createdAt)}</td>
                <td>${entry.kind}${entry.counterparty ? html`<small>${entry.amount < 0 ? 'to' : 'from'} ${entry.counterparty.name} · ${entry.counterparty.accountNumber}</small>` : null}${entry.description ? html`<small>${entry.description}</small>` : null}</td>
                <td class="amount ${entry.amount < 0 ? 'negative' : 'positive'}">${formatMoney(entry.amount, currency, { signed: true })}</td>
                <td class="amount">${formatMoney(entry.balanceAfter, currency)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.entries.length === 0 && !this.loading ? html`<p class="muted">No transactions yet.</p>` : null}
        <div class="sentinel" aria-hidden="true"></div>
        ${this.loading ? html`<p class="muted" role="status">Loading…</p>` : null}
      </div>
    </section>`;
  }
}
customElements.define('account-history', AccountHistory);
