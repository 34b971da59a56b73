import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import { TransferReviewDetailsSchema, type RequestView } from '@bank/contracts/requests';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS } from '../request-labels';
import { reviewOrder } from '../hold-labels';
import '../held-transfer-review/held-transfer-review.component';
import '../disputed-transfer-review/disputed-transfer-review.component';

/** Requests decided with a reason the customer reads when rejected: the money-moving ones. */
const DECIDED_WITH_REASON: readonly RequestView['type'][] = ['transfer_review', 'transaction_dispute'];

/** The words of each reasoned decision: its buttons, and what the employee is told once it is done. */
interface ReasonedDecision {
  approve: string;
  reject: string;
  approved: string;
  rejected: string;
}
const REASONED_DECISIONS: Record<'transfer_review' | 'transaction_dispute', ReasonedDecision> = {
  transfer_review: {
    approve: 'Approve transfer',
    reject: 'Reject transfer',
    approved: 'Approved: the transfer is being sent.',
    rejected: 'Rejected: the reserved amount is released and the customer is told why.',
  },
  transaction_dispute: {
    approve: 'Approve reversal',
    reject: 'Reject dispute',
    approved: 'Approved: the transfer is being reversed.',
    rejected: 'Rejected: nothing moves and the customer is told why.',
  },
};

function rowClass(request: RequestView): string {
  return request.type === 'transfer_review' ? 'held' : request.type === 'transaction_dispute' ? 'disputed' : '';
}

/** The hold a `transfer_review` request decides, if it is one. */
function holdIdOf(request: RequestView): string | undefined {
  if (request.type !== 'transfer_review') return undefined;
  const details = TransferReviewDetailsSchema.safeParse(request.details);
  return details.success ? details.data.holdId : undefined;
}

/**
 * The employees' live queue: pending requests oldest first — transfers held for review before
 * everything else, marked, with the facts to decide them — appearing and leaving as
 * `queue.changed` says; claim one, then approve or reject it with a note (a held transfer's or a
 * disputed transfer's rejection needs its reason). Shows who handles what, and nothing of the
 * customer's accounts beyond what the request (or, for a held transfer, its review) carries.
 */
export class EmployeeQueue extends LitElement {
  static override properties = { pending: { state: true }, inReview: { state: true }, message: { state: true }, notice: { state: true }, reasonErrors: { state: true } };
  declare pending: RequestView[];
  declare inReview: RequestView[];
  declare message: string | null;
  /** What the last decision did, said once. */
  declare notice: string | null;
  /** A held or disputed transfer rejected without a reason: the message for its reason field, by request id. */
  declare reasonErrors: Record<string, string>;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [
      live.on('queue.changed', () => void this.reload()),
      live.on('request.updated', ({ data }) => {
        if (data.status === 'in_review') this.inReview = [...this.inReview.filter((r) => r.id !== data.id), data];
        else this.inReview = this.inReview.filter((r) => r.id !== data.id);
      }),
    ],
    () => void this.reload(),
  );
  private reloading: Promise<void> | null = null;

  static override styles = [
    sharedStyles,
    css`
      .columns {
        display: grid;
        gap: var(--bank-gap);
        grid-template-columns: repeat(auto-fit, minmax(min(20rem, 100%), 1fr));
        align-items: start;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.6rem;
      }
      li {
        border: 1px solid var(--bank-border);
        border-radius: var(--bank-radius-control);
        padding: var(--bank-item-padding);
        display: grid;
        gap: 0.4rem;
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .actions label {
        flex: 1 1 12rem;
      }
      li.held {
        border-left: 4px solid var(--bank-warning);
      }
      li.disputed {
        border-left: 4px solid var(--bank-accent);
      }
      .tag {
        display: inline-block;
        width: fit-content;
        font-size: 0.8rem;
        font-weight: 700;
        padding: 0.1rem 0.55rem;
        border-radius: 999px;
        border: 1px solid var(--bank-warning);
      }
    `,
  ];

  constructor() {
    super();
    this.pending = [];
    this.inReview = [];
    this.message = null;
    this.notice = null;
    this.reasonErrors = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const api = this.session.value!.api;
        const [pending, inReview] = await Promise.all([api.serviceRequests({ status: 'pending_review', limit: 100 }), api.serviceRequests({ status: 'in_review', limit: 100 })]);
        this.pending = pending.items;
        this.inReview = inReview.items;
      } catch (error) {
        this.message = problemMessage(error);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async act(action: () => Promise<RequestView>, done: string | null = null): Promise<void> {
    this.message = null;
    this.notice = null;
    try {
      await action();
      this.notice = done;
      await this.reload();
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private details(request: RequestView) {
    if (DECIDED_WITH_REASON.includes(request.type)) return null;
    const parts = Object.entries(request.details).map(([key, value]) => (key === 'dailyLimit' && typeof value === 'number' ? `daily limit ${formatMoney(value, 'USD')}` : `${key}: ${String(value)}`));
    return parts.length ? html`<div>${parts.join(' · ')}</div>` : null;
  }

  private decide(event: SubmitEvent, request: RequestView): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const note = String(new FormData(form).get('note') ?? '').trim();
    const submitter = (event.submitter as HTMLButtonElement | null)?.value;
    const api = this.session.value!.api;
    if (submitter === 'reject') {
      if (!note) {
        this.message = 'A rejection needs a reason: write it in the note.';
        return;
      }
      void this.act(() => api.rejectRequest(request.id, note));
    } else void this.act(() => api.approveRequest(request.id, note || undefined));
  }

  /**
   * A held transfer (approve sends it; reject voids it) or a disputed one (approve reverses it;
   * reject leaves it): a rejection needs the reason the customer will read.
   */
  private decideWithReason(event: SubmitEvent, request: RequestView, words: ReasonedDecision): void {
    event.preventDefault();
    const reason = String(new FormData(event.target as HTMLFormElement).get('reason') ?? '').trim();
    const api = this.session.value!.api;
    if ((event.submitter as HTMLButtonElement | null)?.value === 'reject') {
      if (!reason) {
        this.reasonErrors = { ...this.reasonErrors, [request.id]: 'Write the reason: the customer reads it.' };
        return;
      }
      this.reasonErrors = { ...this.reasonErrors, [request.id]: '' };
      void this.act(() => api.rejectRequest(request.id, reason), words.rejected);
    } else void this.act(() => api.approveRequest(request.id, reason || undefined), words.approved);
  }

  private facts(request: RequestView, compact: boolean) {
    if (request.type === 'transaction_dispute') return html`<disputed-transfer-review .request=${request}></disputed-transfer-review>`;
    const holdId = holdIdOf(request);
    return holdId ? html`<span class="tag">Held transfer</span><held-transfer-review hold-id=${holdId} ?compact=${compact}></held-transfer-review>` : null;
  }

  private decisionForm(request: RequestView) {
    if (request.type !== 'transfer_review' && request.type !== 'transaction_dispute') {
      return html`<form class="actions" @submit=${(event: SubmitEvent) => this.decide(event, request)} novalidate>
        <label>Note <input name="note" maxlength="500" /></label>
        <button type="submit" value="approve">Approve</button>
        <button type="submit" value="reject" class="danger">Reject</button>
      </form>`;
    }
    const error = this.reasonErrors[request.id] ?? '';
    const words = REASONED_DECISIONS[request.type];
    return html`<form class="actions" @submit=${(event: SubmitEvent) => this.decideWithReason(event, request, words)} novalidate>
      <label
        >Reason (required to reject)
        <input name="reason" maxlength="500" aria-invalid=${error ? 'true' : 'false'} aria-describedby="reason-error-${request.id}" @input=${() => error && (this.reasonErrors = { ...this.reasonErrors, [request.id]: '' })} />
        <span id="reason-error-${request.id}" class="field-error">${error}</span>
      </label>
      <button type="submit" value="approve">${words.approve}</button>
      <button type="submit" value="reject" class="danger">${words.reject}</button>
    </form>`;
  }

  override render() {
    const me = this.session.value?.user?.id;
    return html`<h1>Service request queue</h1>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : null}
      <div class="columns">
        <section class="card" aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for review (<span data-queue-size>${this.pending.length}</span>)</h2>
          <ul aria-label="Pending requests, held transfers first, then oldest first">
            ${repeat(
              reviewOrder(this.pending),
              (request) => request.id,
              (request) => html`<li data-request-id=${request.id} data-type=${request.type} class=${rowClass(request)}>
                <strong>${REQUEST_TYPE_LABELS[request.type]}</strong>
                <span class="muted">Filed ${formatDateTime(request.createdAt)}</span>
                ${this.facts(request, true)} ${this.details(request)}
                <div><button type="button" @click=${() => this.act(() => this.session.value!.api.claimRequest(request.id))}>Claim</button></div>
              </li>`,
            )}
          </ul>
          ${this.pending.length === 0 ? html`<p class="muted">Nothing waiting.</p>` : null}
        </section>
        <section class="card" aria-labelledby="review-title">
          <h2 id="review-title">In review</h2>
          <ul aria-label="Requests in review">
            ${repeat(
              reviewOrder(this.inReview),
              (request) => request.id,
              (request) => html`<li data-request-id=${request.id} data-type=${request.type} class=${rowClass(request)}>
                <strong>${REQUEST_TYPE_LABELS[request.type]}</strong>
                <span class="muted">${REQUEST_STATUS_LABELS[request.status]} · ${request.assigneeId === me ? 'claimed by you' : 'claimed by a colleague'}</span>
                ${this.facts(request, request.assigneeId !== me)} ${this.details(request)}
                ${request.assigneeId === me ? this.decisionForm(request) : null}
              </li>`,
            )}
          </ul>
          ${this.inReview.length === 0 ? html`<p class="muted">Nobody is reviewing anything.</p>` : null}
        </section>
      </div>`;
  }
}
customElements.define('employee-queue', EmployeeQueue);
