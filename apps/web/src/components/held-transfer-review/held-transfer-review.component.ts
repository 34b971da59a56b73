import { LitElement, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task } from '@lit/task';
import type { ReviewedHoldView } from '@bank/contracts/holds';
import { sessionContext } from '../../session/session-context';
import { formatDateTime, formatMoney } from '../../format/money';
import { factListStyles, sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { accountAge, HOLD_REASON_LABELS, HOLD_STATUS_LABELS } from '../hold-labels';
import { heldTransferReviewStyles } from './held-transfer-review.styles';

/**
 * The facts an employee decides a held transfer on (`GET /holds/:id`, API.md "Holds"), and
 * nothing else: the amount, the rule that held it, both parties' names and numbers, how old the
 * sending account is and — unless `compact` — the sender's last 10 transfers.
 */
export class HeldTransferReview extends LitElement {
  static override properties = { holdId: { attribute: 'hold-id', reflect: true }, compact: { type: Boolean, reflect: true } };
  declare holdId: string | undefined;
  declare compact: boolean;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly review = new Task(this, {
    task: ([holdId]: readonly [string | undefined]) => (holdId ? this.session.value!.api.holdReview(holdId) : Promise.reject(new Error('no hold'))),
    args: () => [this.holdId] as const,
  });

  static override styles = [sharedStyles, factListStyles, heldTransferReviewStyles];

  constructor() {
    super();
    this.compact = false;
  }

  private renderFacts(hold: ReviewedHoldView) {
    const { sender, recentTransfers } = hold.review;
    return html`<dl>
        <dt>Amount</dt>
        <dd class="amount" data-fact="amount">${formatMoney(hold.amount, hold.currency)}</dd>
        <dt>Held because</dt>
        <dd data-fact="rule">${HOLD_REASON_LABELS[hold.reason]}</dd>
        <dt>From</dt>
        <dd data-fact="sender">${sender.name} · <span class="mono">${sender.accountNumber}</span> · ${accountAge(sender.accountOpenedAt, Date.now())}</dd>
        <dt>To</dt>
        <dd data-fact="recipient">${hold.counterparty.name} · <span class="mono">${hold.counterparty.accountNumber}</span></dd>
        ${hold.description ? html`<dt>Description</dt><dd>${hold.description}</dd>` : null}
        <dt>Held</dt>
        <dd>${formatDateTime(hold.createdAt)}; expires ${formatDateTime(hold.expiresAt)}${hold.status !== 'pending' ? html` · <strong>${HOLD_STATUS_LABELS[hold.status]}</strong>` : null}</dd>
      </dl>
      ${this.compact
        ? null
        : html`<h3>The sender’s last transfers</h3>
            ${recentTransfers.length === 0
              ? html`<p class="muted" data-fact="recent">No earlier transfers from this account.</p>`
              : html`<table class="stacked" data-fact="recent">
                  <thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col" class="amount">Amount</th></tr></thead>
                  <tbody>
                    ${recentTransfers.map(
                      (transfer) =>
                        html`<tr>
                          <td>${formatDateTime(transfer.createdAt)}</td>
                          <td>${transfer.counterparty ? html`${transfer.counterparty.name} · <span class="mono">${transfer.counterparty.accountNumber}</span>` : '—'}</td>
                          <td class="amount">${formatMoney(transfer.amount, hold.currency)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`}`}`;
  }

  override render() {
    return this.review.render({
      pending: () => html`<p class="muted" role="status">Loading the facts…</p>`,
      complete: (hold) => this.renderFacts(hold),
      error: (error) => html`<p class="form-error" role="alert">The facts could not be loaded: ${problemMessage(error)}</p>`,
    });
  }
}
customElements.define('held-transfer-review', HeldTransferReview);
