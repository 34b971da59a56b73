import { LitElement, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { DisputeRequestSchema } from '@bank/contracts/disputes';
import type { RequestView } from '@bank/contracts/requests';
import { sessionContext } from '../../session/session-context';
import { sharedStyles } from '../shared-styles';
import { problemFieldErrors, problemMessage, schemaFieldErrors, type FieldErrors } from '../form-errors';
import { disputeRefusal } from '../dispute-labels';
import { transferDisputeStyles } from './transfer-dispute.styles';

export interface DisputeFiled {
  transactionId: string;
  request: RequestView;
}

/**
 * The form that disputes one sent transfer (API.md "Disputes and reversals"): the customer's
 * reason, required, then `POST /transactions/:id/disputes`. Fires `dispute-filed` with the filed
 * request, or `dispute-closed` when the customer changes their mind; a refusal (one already open,
 * too old, reversed) is said in a sentence and the form stays.
 */
export class TransferDispute extends LitElement {
  static override properties = {
    transactionId: { attribute: 'transaction-id', reflect: true },
    summary: {},
    errors: { state: true },
    message: { state: true },
    busy: { state: true },
  };
  declare transactionId: string;
  /** What is disputed, in words ("$100.00 to Bob Payee"), for the form's label. */
  declare summary: string;
  declare errors: FieldErrors;
  declare message: string | null;
  declare busy: boolean;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  /** One key per intended dispute: a double click or a retry after a timeout files it once. */
  private idempotencyKey = crypto.randomUUID();

  static override styles = [sharedStyles, transferDisputeStyles];

  constructor() {
    super();
    this.transactionId = '';
    this.summary = '';
    this.errors = {};
    this.message = null;
    this.busy = false;
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  private async file(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const parsed = DisputeRequestSchema.safeParse({ reason: String(new FormData(event.target as HTMLFormElement).get('reason') ?? '') });
    if (!parsed.success) {
      const errors = schemaFieldErrors(parsed.error);
      // An empty reason: say what to write rather than the schema's "must not be empty".
      this.errors = errors.reason === 'must not be empty' ? { reason: 'Write the reason: the bank decides on it.' } : errors;
      this.message = null;
      return;
    }
    this.errors = {};
    this.message = null;
    this.busy = true;
    try {
      const request = await this.session.value!.api.disputeTransaction(this.transactionId, parsed.data, this.idempotencyKey);
      this.idempotencyKey = crypto.randomUUID();
      this.dispatchEvent(new CustomEvent<DisputeFiled>('dispute-filed', { detail: { transactionId: this.transactionId, request }, bubbles: true, composed: true }));
    } catch (error) {
      this.errors = problemFieldErrors(error);
      this.message = disputeRefusal(error) ?? problemMessage(error);
    } finally {
      this.busy = false;
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('dispute-closed', { bubbles: true, composed: true }));
  }

  override render() {
    const error = this.errors.reason ?? '';
    return html`<form @submit=${this.file} @input=${() => (this.idempotencyKey = crypto.randomUUID())} novalidate>
      <label
        >Why do you dispute ${this.summary || 'this transfer'}?
        <textarea name="reason" required maxlength="500" aria-invalid=${error ? 'true' : 'false'} aria-describedby="reason-error"></textarea>
        <span id="reason-error" class="field-error">${error}</span>
      </label>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Filing…' : 'File dispute'}</button>
        <button type="button" class="secondary" @click=${this.close}>Close</button>
      </div>
    </form>`;
  }
}
customElements.define('transfer-dispute', TransferDispute);
