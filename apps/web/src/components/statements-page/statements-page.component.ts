import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task } from '@lit/task';
import type { AccountView } from '@bank/contracts/accounts';
import { monthsNewestFirst, statementFileName, type StatementFormat } from '@bank/contracts/statements';
import { sessionContext } from '../../session/session-context';
import { pageStyles, sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { statementsPageStyles } from './statements-page.styles';

const MONTH_NAME = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** `2026-11` → "November 2026" (months are UTC). */
export function monthName(month: string): string {
  return MONTH_NAME.format(new Date(`${month}-01T00:00:00Z`));
}

/**
 * Monthly statements: pick an account, and every month from its first to the current one (newest
 * first) offers its statement as CSV or PDF. A download is fetched with the session's token (a
 * plain link could not carry it) and saved through an object URL.
 */
export class StatementsPage extends LitElement {
  static override properties = { selectedId: { state: true }, downloading: { state: true }, notice: { state: true }, error: { state: true } };
  declare selectedId: string | undefined;
  /** `<month>.<format>` of the download under way. */
  declare downloading: string | null;
  declare notice: string | null;
  declare error: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly accounts = new Task(this, {
    task: async () => (await this.session.value!.api.accounts()).items,
    args: () => [],
  });
  private readonly periods = new Task(this, {
    task: async ([accountId]: [string | undefined]) => {
      if (!accountId) return [];
      const periods = await this.session.value!.api.statementPeriods(accountId);
      return monthsNewestFirst(periods.firstMonth, periods.currentMonth).map((month) => ({ month, current: month === periods.currentMonth }));
    },
    args: () => [this.selectedId ?? this.accounts.value?.[0]?.id] as [string | undefined],
  });

  static override styles = [sharedStyles, pageStyles, statementsPageStyles];

  constructor() {
    super();
    this.selectedId = undefined;
    this.downloading = null;
    this.notice = null;
    this.error = null;
  }

  private selected(): AccountView | undefined {
    const accounts = this.accounts.value ?? [];
    return accounts.find((account) => account.id === this.selectedId) ?? accounts[0];
  }

  private async download(month: string, format: StatementFormat): Promise<void> {
    const account = this.selected();
    if (!account || this.downloading) return;
    this.downloading = `${month}.${format}`;
    this.notice = null;
    this.error = null;
    try {
      const blob = await this.session.value!.api.statement(account.id, month, format);
      const fileName = statementFileName(account.number, month, format);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.hidden = true;
      this.renderRoot.appendChild(link);
      link.click();
      link.remove();
      // Revoked a little later: the browser reads the object URL after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
      this.notice = `Downloaded ${fileName}.`;
    } catch (error) {
      this.error = problemMessage(error);
    } finally {
      this.downloading = null;
    }
  }

  private renderAccounts(accounts: AccountView[]) {
    if (accounts.length === 0) return html`<p class="muted">You have no account yet.</p>`;
    const selected = this.selected();
    return html`<label class="account"
      >Account
      <select @change=${(event: Event) => (this.selectedId = (event.target as HTMLSelectElement).value)}>
        ${accounts.map((account) => html`<option value=${account.id} ?selected=${account.id === selected?.id}>${account.type} ${account.number} (${account.currency})</option>`)}
      </select>
    </label>`;
  }

  private renderMonths(months: ReadonlyArray<{ month: string; current: boolean }>) {
    return html`<ul aria-label="Statements by month" data-statements>
      ${months.map(({ month, current }) => {
        const name = monthName(month);
        return html`<li data-month=${month}>
          <span class="month">${name}${current ? html`<span class="to-date muted">(to date)</span>` : nothing}</span>
          <span class="downloads">
            ${(['csv', 'pdf'] as const).map(
              (format) =>
                html`<button
                  type="button"
                  class="secondary"
                  aria-label="Download the ${name} statement as ${format.toUpperCase()}"
                  ?disabled=${this.downloading !== null}
                  @click=${() => this.download(month, format)}
                >
                  ${this.downloading === `${month}.${format}` ? 'Downloading…' : format.toUpperCase()}
                </button>`,
            )}
          </span>
        </li>`;
      })}
    </ul>`;
  }

  override render() {
    return html`<h1>Statements</h1>
      <section class="card" aria-labelledby="statements-title">
        <h2 id="statements-title">Monthly statements</h2>
        <p class="muted">One statement per calendar month (UTC): opening and closing balance, every entry with its running balance, totals in and out.</p>
        ${this.accounts.render({
          pending: () => html`<p class="muted" role="status">Loading accounts…</p>`,
          complete: (accounts) => this.renderAccounts(accounts),
          error: (error) => html`<p class="form-error" role="alert">${problemMessage(error)}</p>`,
        })}
        ${this.periods.render({
          pending: () => html`<p class="muted" role="status">Loading months…</p>`,
          complete: (months) => (months.length > 0 ? this.renderMonths(months) : nothing),
          error: (error) => html`<p class="form-error" role="alert">${problemMessage(error)}</p>`,
        })}
        <div aria-live="polite">
          ${this.notice ? html`<p class="muted" role="status">${this.notice}</p>` : nothing}
          ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing}
        </div>
      </section>`;
  }
}
customElements.define('statements-page', StatementsPage);
