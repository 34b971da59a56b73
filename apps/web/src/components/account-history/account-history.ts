import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import type { EntryView } from '@bank/contracts/ledger';
import { OPEN_REQUEST_STATUSES, type RequestView } from '@bank/contracts/requests';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { REQUEST_STATUS_LABELS, supersedes } from '../request-labels';
import { disputedTransactionId, disputeOutcome, isDisputable, reversalCaption } from '../dispute-labels';
import type { DisputeFiled } from '../transfer-dispute/transfer-dispute.component';
import { historyCsv } from './history-csv';
import { entryMatchesHistoryFilter, hasHistoryFilter, type HistoryFilter } from '@bank/contracts/history';
import { filterFromHash, hashWithFilter, sameFilter } from './history-filter-url';
import type { HistoryFilterChange } from './history-filters';
import './history-filters';
import '../balance-chart/balance-chart';
import '../transfer-dispute/transfer-dispute.component';

const PAGE = 25;
/** The newest disputes looked up on load (the page limit of the api). */
const DISPUTES_PAGE = 100;

/**
 * One account's history, newest first, with the balance after each entry: pages are fetched by
 * keyset cursor as the end of the list scrolls into view; live `transaction.posted` events for
 * this account are added on top (once each). Also the balance chart and the CSV export.
 *
 * Filters (dates, kind, amount range, text) sit above the list and live in the URL's hash query
 * (`#/?from=…&q=…`): a reload or back/forward brings them back; every page and the CSV export ask
 * the api with them, and a live entry that does not match them stays out of the filtered list.
 *
 * Disputes and reversals (API.md): a sent transfer offers "Dispute" (a reason, then the request
 * is filed and followed live); a reversal links to the row it reverses, and a reversed transfer
 * is marked — live too, since the reversal's `transaction.posted` names what it reverses.
 */
export class AccountHistory extends LitElement {
  static override properties = {
    account: { attribute: false },
    entries: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    error: { state: true },
    disputing: { state: true },
    disputes: { state: true },
    filter: { state: true },
  };
  declare account: AccountView | undefined;
  declare entries: EntryView[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare error: string | null;
  /** The transaction whose dispute form is open. */
  declare disputing: string | null;
  /** The disputes filed or heard of during this visit, by the disputed transaction's id. */
  declare disputes: Record<string, RequestView>;
  /** The filters applied, as the URL holds them. */
  declare filter: HistoryFilter;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('transaction.posted', ({ data }) => {
        if (data.accountId !== this.account?.id || this.entries.some((entry) => entry.id === data.id)) return;
        const { accountId: _accountId, ...entry } = data;
        if (hasHistoryFilter(this.filter) && !entryMatchesHistoryFilter(entry, this.filter)) {
          this.entries = this.markReversed(this.entries, entry);
          return;
        }
        this.entries = [entry, ...this.markReversed(this.entries, entry)];
      }),
      live.on('request.updated', ({ data }) => this.noteDispute(data)),
    ],
    () => void this.reload(),
  );
  private observer: IntersectionObserver | undefined;
  private loadedFor: string | undefined;
  /** Bumped by every reload: a page that arrives for an older list (account or filters since changed) is dropped. */
  private generation = 0;
  private readonly onUrl = () => {
    const filter = filterFromHash(location.hash);
    if (sameFilter(filter, this.filter)) return;
    this.filter = filter;
    void this.reload();
  };

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
      tr:target,
      tr.jumped {
        outline: 2px solid var(--bank-accent);
        outline-offset: -2px;
      }
      .tag {
        display: inline-block;
        font-size: 0.8rem;
        font-weight: 700;
        padding: 0 0.45rem;
        margin-left: 0.35rem;
        border-radius: 999px;
        border: 1px solid var(--bank-border);
      }
      .row-actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        margin-top: 0.25rem;
      }
      .row-actions button {
        padding: 0.15rem 0.6rem;
        font-size: 0.85rem;
      }
      .dispute-state {
        font-size: 0.85rem;
      }
      tr.dispute-form td {
        background: var(--bank-surface);
      }
    `,
  ];

  constructor() {
    super();
    this.entries = [];
    this.nextCursor = null;
    this.loading = false;
    this.error = null;
    this.disputing = null;
    this.disputes = {};
    this.filter = filterFromHash(location.hash);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onUrl);
    addEventListener('popstate', this.onUrl);
    this.onUrl();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onUrl);
    removeEventListener('popstate', this.onUrl);
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

  /** A reversal arrived: the transfer it reverses, if on the page, is reversed now. */
  private markReversed(entries: EntryView[], reversal: EntryView): EntryView[] {
    const reverses = reversal.reversesTransactionId;
    if (!reverses) return entries;
    return entries.map((entry) => (entry.transactionId === reverses ? { ...entry, reversedByTransactionId: reversal.transactionId } : entry));
  }

  /** A dispute's news (filed here, or its status moving live), kept by the transaction it disputes; an older one never overwrites a newer. */
  private noteDispute(request: RequestView): void {
    const transactionId = disputedTransactionId(request);
    if (!transactionId) return;
    const known = this.disputes[transactionId];
    if (known && known.id === request.id && !supersedes(request, known)) return;
    this.disputes = { ...this.disputes, [transactionId]: request };
  }

  private filed(event: CustomEvent<DisputeFiled>): void {
    this.noteDispute(event.detail.request);
    this.disputing = null;
    // The dashboard hears of it too (the request joins the service requests list): the event goes on.
  }

  /** The reversed transfer's row, brought into view and focused: the in-page jump of a reversal's link (the app's routes use the hash). */
  private jumpTo(event: Event, entryId: string): void {
    event.preventDefault();
    const row = this.renderRoot.querySelector<HTMLTableRowElement>(`#entry-${CSS.escape(entryId)}`);
    if (!row) return;
    this.renderRoot.querySelectorAll('tr.jumped').forEach((other) => other.classList.remove('jumped'));
    row.classList.add('jumped');
    row.scrollIntoView({ block: 'nearest' });
    row.focus();
  }

  /** New filters from the form: into the URL (a new history entry, or the same one while typing), then the list. */
  private filterChanged(event: CustomEvent<HistoryFilterChange>): void {
    const hash = hashWithFilter(location.hash, event.detail.filter);
    if (hash !== location.hash) {
      if (event.detail.typing) history.replaceState(history.state, '', hash);
      else history.pushState(history.state, '', hash);
    }
    this.filter = event.detail.filter;
    void this.reload();
  }

  private async reload(): Promise<void> {
    if (!this.account) return;
    this.generation++;
    this.loadedFor = this.account.id;
    this.disputing = null;
    this.entries = [];
    this.nextCursor = null;
    await Promise.all([this.fetchPage(null), this.fetchDisputes()]);
  }

  /** The customer's disputes (the newest page): a reloaded history still shows which transfers are disputed. */
  private async fetchDisputes(): Promise<void> {
    try {
      const page = await this.session.value!.api.serviceRequests({ type: 'transaction_dispute', limit: DISPUTES_PAGE });
      for (const request of page.items) this.noteDispute(request);
    } catch {
      // Only the disputes' captions are missing: filing again answers with the one that is open.
    }
  }

  private async loadMore(): Promise<void> {
    if (this.nextCursor && !this.loading) await this.fetchPage(this.nextCursor);
  }

  private async fetchPage(cursor: string | null): Promise<void> {
    const account = this.account;
    if (!account) return;
    const generation = this.generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.session.value!.api.history(account.id, { limit: PAGE, cursor, ...this.filter });
      if (account.id !== this.account?.id || generation !== this.generation) return;
      const known = new Set(this.entries.map((entry) => entry.id));
      this.entries = [...this.entries, ...page.items.filter((entry) => !known.has(entry.id))];
      // An event may have told of a reversal before the page with its transfer arrived.
      for (const reversal of this.entries.filter((entry) => entry.reversesTransactionId)) this.entries = this.markReversed(this.entries, reversal);
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = problemMessage(error);
    } finally {
      this.loading = false;
    }
  }

  /** The list shown — the whole history, or every entry matching the filters — as a CSV download. */
  private async exportCsv(): Promise<void> {
    const account = this.account;
    if (!account) return;
    const filter = this.filter;
    const all: EntryView[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.session.value!.api.history(account.id, { limit: 100, cursor, ...filter });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([historyCsv(all)], { type: 'text/csv' }));
    link.download = `bankingcore-${account.number}-history${hasHistoryFilter(filter) ? '-filtered' : ''}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  private renderWhat(entry: EntryView, currency: string, now: number) {
    const original = entry.reversesTransactionId ? this.entries.find((other) => other.transactionId === entry.reversesTransactionId) : undefined;
    const dispute = this.disputes[entry.transactionId];
    const disputeOpen = dispute !== undefined && OPEN_REQUEST_STATUSES.includes(dispute.status);
    const party = entry.counterparty ? ` ${entry.amount < 0 ? 'to' : 'from'} ${entry.counterparty.name}` : '';
    const outcome = dispute ? disputeOutcome(dispute) : null;
    return html`${entry.kind}${entry.reversedByTransactionId ? html`<span class="tag" data-reversed>reversed</span>` : null}
      ${entry.reversesTransactionId
        ? html`<small data-reverses=${entry.reversesTransactionId}
            >${original
              ? html`<a href="#entry-${original.id}" @click=${(event: Event) => this.jumpTo(event, original.id)}>${reversalCaption(original, formatDateTime(original.createdAt))}</a>`
              : reversalCaption(undefined, undefined)}</small
          >`
        : null}
      ${entry.counterparty ? html`<small>${entry.amount < 0 ? 'to' : 'from'} ${entry.counterparty.name} · ${entry.counterparty.accountNumber}</small>` : null}${entry.description ? html`<small>${entry.description}</small>` : null}
      ${dispute || (isDisputable(entry, now) && this.disputing !== entry.transactionId)
        ? html`<div class="row-actions">
            ${dispute
              ? html`<span class="dispute-state" role="status" data-dispute-status=${dispute.status}
                  >${disputeOpen ? 'Dispute filed' : 'Dispute'} · ${REQUEST_STATUS_LABELS[dispute.status]}${outcome ? html` · ${outcome}` : null}</span
                >`
              : null}
            ${!disputeOpen && isDisputable(entry, now) && this.disputing !== entry.transactionId
              ? html`<button type="button" class="secondary" @click=${() => (this.disputing = entry.transactionId)}>
                  Dispute<span class="visually-hidden"> the transfer of ${formatMoney(-entry.amount, currency)}${party}</span>
                </button>`
              : null}
          </div>`
        : null}`;
  }

  private renderEntry(entry: EntryView, currency: string, now: number) {
    const row = html`<tr id="entry-${entry.id}" tabindex="-1" data-entry-id=${entry.id} data-transaction-id=${entry.transactionId} data-kind=${entry.kind}>
      <td>${formatDateTime(entry.createdAt)}</td>
      <td>${this.renderWhat(entry, currency, now)}</td>
      <td class="amount ${entry.amount < 0 ? 'negative' : 'positive'}">${formatMoney(entry.amount, currency, { signed: true })}</td>
      <td class="amount" data-label="Balance">${formatMoney(entry.balanceAfter, currency)}</td>
    </tr>`;
    if (this.disputing !== entry.transactionId) return row;
    const summary = `the transfer of ${formatMoney(-entry.amount, currency)}${entry.counterparty ? ` to ${entry.counterparty.name}` : ''}`;
    return html`${row}
      <tr class="dispute-form">
        <td colspan="4">
          <transfer-dispute transaction-id=${entry.transactionId} .summary=${summary} @dispute-filed=${this.filed} @dispute-closed=${() => (this.disputing = null)}></transfer-dispute>
        </td>
      </tr>`;
  }

  override render() {
    const currency = this.account?.currency ?? 'USD';
    const now = Date.now();
    const filtered = hasHistoryFilter(this.filter);
    return html`<section class="card" aria-labelledby="history-title">
      <div class="head">
        <h2 id="history-title">History</h2>
        <button class="secondary" type="button" @click=${this.exportCsv} ?disabled=${!this.account}>Export CSV</button>
      </div>
      <history-filters .filter=${this.filter} currency=${currency} @history-filter-change=${this.filterChanged}></history-filters>
      ${filtered ? null : html`<balance-chart .entries=${this.entries} currency=${currency}></balance-chart>`}
      ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : null}
      ${filtered && !this.loading
        ? html`<p class="muted" role="status" data-filter-summary>
            ${this.entries.length === 0
              ? 'No transactions match these filters.'
              : `${this.entries.length}${this.nextCursor ? '+' : ''} matching transaction${this.entries.length === 1 && !this.nextCursor ? '' : 's'}.`}
          </p>`
        : null}
      <div class="scroll" tabindex="0" aria-label="Transactions, newest first">
        <table class="stacked">
          <thead>
            <tr><th scope="col">When</th><th scope="col">What</th><th scope="col" class="amount">Amount</th><th scope="col" class="amount">Balance</th></tr>
          </thead>
          <tbody>
            ${this.entries.map((entry) => this.renderEntry(entry, currency, now))}
          </tbody>
        </table>
        ${this.entries.length === 0 && !this.loading && !filtered ? html`<p class="muted">No transactions yet.</p>` : null}
        <div class="sentinel" aria-hidden="true"></div>
        ${this.loading ? html`<p class="muted" role="status">Loading…</p>` : null}
      </div>
    </section>`;
  }
}
customElements.define('account-history', AccountHistory);
