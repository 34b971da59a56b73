import { LitElement, html } from 'lit';
import type { RequestView } from '@bank/contracts/requests';
import { formatDateTime, formatMoney } from '../../format/money';
import { TransactionDisputeDetailsSchema } from '@bank/contracts/disputes';
import { factListStyles, sharedStyles } from '../shared-styles';
import { disputedTransactionId, disputeReason } from '../dispute-labels';
import { disputedTransferReviewStyles } from './disputed-transfer-review.styles';

/**
 * The facts an employee decides a `transaction_dispute` on, as the request carries them
 * (API.md "Disputes and reversals", `details: {transactionId, reason}` and the transfer's amount, time
 * and recipient): the customer's reason in their words, which transfer, and when it was disputed.
 * Approving reverses that transfer.
 */
export class DisputedTransferReview extends LitElement {
  static override properties = { request: { attribute: false } };
  declare request: RequestView | undefined;

  static override styles = [sharedStyles, factListStyles, disputedTransferReviewStyles];

  override render() {
    const request = this.request;
    if (!request) return null;
    const transactionId = disputedTransactionId(request);
    const reason = disputeReason(request);
    const transfer = TransactionDisputeDetailsSchema.safeParse(request.details);
    return html`<dl>
      ${transfer.success
        ? html`<dt>Amount</dt>
            <dd data-fact="amount">${formatMoney(transfer.data.amount, transfer.data.currency)}</dd>
            <dt>Sent</dt>
            <dd data-fact="sent-at">${formatDateTime(transfer.data.transferredAt)}</dd>
            <dt>Recipient</dt>
            <dd data-fact="recipient">${transfer.data.recipient.name} · <span class="mono">${transfer.data.recipient.accountNumber}</span></dd>`
        : null}
      <dt>Customer’s reason</dt>
      <dd data-fact="reason"><blockquote>${reason ?? '—'}</blockquote></dd>
      <dt>Transfer</dt>
      <dd data-fact="transaction"><span class="mono">${transactionId ?? '—'}</span></dd>
      <dt>Disputed</dt>
      <dd data-fact="disputed-at">${formatDateTime(request.createdAt)}</dd>
      <dt>If approved</dt>
      <dd>The amount goes back from the recipient to the customer; if the recipient no longer holds it, nothing moves and the dispute fails.</dd>
    </dl>`;
  }
}
customElements.define('disputed-transfer-review', DisputedTransferReview);
