import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import type { HoldView } from '@bank/contracts/holds';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { subscribeHolds } from '../../live/subscribe-holds';
import { formatDateTime, formatMoney } from '../../format/money';
import { cardListStyles, sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { HOLD_REASON_LABELS, HOLD_STATUS_LABELS, holdOutcome } from '../hold-labels';
import { pendingHoldsStyles } from './pending-holds.styles';

/**
 * A customer's transfers held for review (API.md "Holds"): each with why it was held and a Cancel
 * button while undecided. Follows `hold.updated` live, so a hold that is posted, rejected (with the
 * reviewer's reason), cancelled or expired shows its outcome in place; decided ones stay listed
 * for the rest of the visit. `upsert` takes a hold the transfer form was just answered with.
 */
export class PendingHolds extends LitElement {
  static override properties = {
    accounts: { attribute: false },
    holds: { state: true },
    resolutions: { state: true },
    cancelling: { state: true },
    message: { state: true },
  };
  declare accounts: AccountView[];
  declare holds: HoldView[];
  /** The end of each hold's review request, by request id: where a rejection's reason is. */
  declare resolutions: Record<string, string>;
  declare cancelling: ReadonlySet<string>;
  declare message: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [subscribeHolds(live, { hold: (hold) => this.upsert(hold), resolution: (requestId, resolution) => (this.resolutions = { ...this.resolutions, [requestId]: resolution }) })],
    () => void this.load(),
  );

  static override styles = [sharedStyles, cardListStyles, pendingHoldsStyles];

  constructor() {
    super();
    this.accounts = [];
    this.holds = [];
    this.resolutions = {};
    this.cancelling = new Set();
    this.message = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Newest first; a decided hold never goes back to pending (an event replayed late, an answer overtaken by its event). */
  upsert(hold: HoldView): void {
    const known = this.holds.find((h) => h.id === hold.id);
    if (known && known.status !== 'pending' && hold.status === 'pending') return;
    this.holds = known ? this.holds.map((h) => (h.id === hold.id ? hold : h)) : [hold, ...this.holds].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    if (hold.status === 'voided' && !this.resolutions[hold.requestId]) void this.loadResolution(hold);
  }

  private async load(): Promise<void> {
    const api = this.session.value!.api;
    try {
      const pending = (await api.holds({ status: 'pending', limit: 100 })).items;
      const stillPending = new Set(pending.map((hold) => hold.id));
      // Holds this page showed as pending that were decided while it was not listening: fetch how they ended.
      const decidedMeanwhile = this.holds.filter((hold) => hold.status === 'pending' && !stillPending.has(hold.id));
      const decided = this.holds.filter((hold) => hold.status !== 'pending');
      this.holds = [...pending, ...decided].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      this.message = null;
      await Promise.all(decidedMeanwhile.map(async (hold) => this.upsert(await api.hold(hold.id))));
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  /** A hold voided before its request's event reached this page: the reason from the request itself. */
  private async loadResolution(hold: HoldView): Promise<void> {
    try {
      const request = await this.session.value!.api.serviceRequest(hold.requestId);
      if (request.resolution) this.resolutions = { ...this.resolutions, [request.id]: request.resolution };
    } catch {
      // the outcome is shown without the reason
    }
  }

  private async cancel(hold: HoldView): Promise<void> {
    if (this.cancelling.has(hold.id)) return;
    this.cancelling = new Set([...this.cancelling, hold.id]);
    this.message = null;
    const api = this.session.value!.api;
    try {
      this.upsert(await api.cancelHold(hold.id));
    } catch (error) {
      if (error instanceof ApiProblem && error.code === 'HOLD_NOT_PENDING') {
        this.message = 'Too late to cancel: the bank has already decided this transfer.';
        await api.hold(hold.id).then((latest) => this.upsert(latest), () => undefined);
      } else this.message = problemMessage(error);
    } finally {
      this.cancelling = new Set([...this.cancelling].filter((id) => id !== hold.id));
    }
  }

  private renderHold(hold: HoldView) {
    const from = this.accounts.length > 1 ? this.accounts.find((account) => account.id === hold.fromAccountId) : undefined;
    const busy = this.cancelling.has(hold.id);
    return html`<li data-hold-id=${hold.id} data-status=${hold.status}>
      <div class="row">
        <span><span class="amount">${formatMoney(hold.amount, hold.currency)}</span> to ${hold.counterparty.name} · <span class="mono">${hold.counterparty.accountNumber}</span></span>
        <span class="status" role="status">${HOLD_STATUS_LABELS[hold.status]}</span>
      </div>
      <div class="muted">
        ${HOLD_REASON_LABELS[hold.reason]} · held ${formatDateTime(hold.createdAt)}${from ? html` · from <span class="mono">${from.number}</span>` : null}${hold.description ? html` · ${hold.description}` : null}
      </div>
      <div data-outcome>${holdOutcome(hold, this.resolutions[hold.requestId])}${hold.status === 'pending' ? html` <span class="muted">It is decided by ${formatDateTime(hold.expiresAt)} at the latest.</span>` : null}</div>
      ${hold.status === 'pending'
        ? html`<div class="actions">
            <button class="danger" type="button" ?disabled=${busy} @click=${() => this.cancel(hold)}>${busy ? 'Cancelling…' : 'Cancel transfer'}</button>
          </div>`
        : null}
    </li>`;
  }

  override render() {
    const pending = this.holds.filter((hold) => hold.status === 'pending').length;
    return html`<section class="card" aria-labelledby="holds-title">
      <h2 id="holds-title">Pending transfers (<span data-pending-count>${pending}</span>)</h2>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${this.holds.length > 0
        ? html`<ul class="cards" aria-label="Transfers held for review, newest first">
            ${repeat(
              this.holds,
              (hold) => hold.id,
              (hold) => this.renderHold(hold),
            )}
          </ul>`
        : html`<p class="muted">No transfers are waiting for review. Large or unusual transfers are held here until the bank checks them.</p>`}
    </section>`;
  }
}
customElements.define('pending-holds', PendingHolds);
