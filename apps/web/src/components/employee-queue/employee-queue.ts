import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { RequestView } from '@bank/contracts/requests';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS } from '../request-labels';

/**
 * The employees' live queue: pending requests oldest first, appearing and leaving as
 * `queue.changed` says; claim one, then approve or reject it with a note. Shows who handles
 * what, and nothing of the customer's accounts beyond what the request carries.
 */
export class EmployeeQueue extends LitElement {
  static override properties = { pending: { state: true }, inReview: { state: true }, message: { state: true } };
  declare pending: RequestView[];
  declare inReview: RequestView[];
  declare message: string | null;
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
        gap: 1rem;
        grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr));
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
        border-radius: 8px;
        padding: 0.6rem 0.75rem;
        display: grid;
        gap: 0.4rem;
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
    `,
  ];

  constructor() {
    super();
    this.pending = [];
    this.inReview = [];
    this.message = null;
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

  private async act(action: () => Promise<RequestView>): Promise<void> {
    this.message = null;
    try {
      await action();
      await this.reload();
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private details(request: RequestView) {
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

  override render() {
    const me = this.session.value?.user?.id;
    return html`<h1>Service request queue</h1>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      <div class="columns">
        <section class="card" aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for review (<span data-queue-size>${this.pending.length}</span>)</h2>
          <ul aria-label="Pending requests, oldest first">
            ${this.pending.map(
              (request) => html`<li data-request-id=${request.id}>
                <strong>${REQUEST_TYPE_LABELS[request.type]}</strong>
                <span class="muted">Filed ${formatDateTime(request.createdAt)}</span>
                ${this.details(request)}
                <div><button type="button" @click=${() => this.act(() => this.session.value!.api.claimRequest(request.id))}>Claim</button></div>
              </li>`,
            )}
          </ul>
          ${this.pending.length === 0 ? html`<p class="muted">Nothing waiting.</p>` : null}
        </section>
        <section class="card" aria-labelledby="review-title">
          <h2 id="review-title">In review</h2>
          <ul aria-label="Requests in review">
            ${this.inReview.map(
              (request) => html`<li data-request-id=${request.id}>
                <strong>${REQUEST_TYPE_LABELS[request.type]}</strong>
                <span class="muted">${REQUEST_STATUS_LABELS[request.status]} · ${request.assigneeId === me ? 'claimed by you' : 'claimed by a colleague'}</span>
                ${this.details(request)}
                ${request.assigneeId === me
                  ? html`<form class="actions" @submit=${(event: SubmitEvent) => this.decide(event, request)} novalidate>
                      <label>Note <input name="note" maxlength="500" /></label>
                      <button type="submit" value="approve">Approve</button>
                      <button type="submit" value="reject" class="danger">Reject</button>
                    </form>`
                  : null}
              </li>`,
            )}
          </ul>
          ${this.inReview.length === 0 ? html`<p class="muted">Nobody is reviewing anything.</p>` : null}
        </section>
      </div>`;
  }
}
customElements.define('employee-queue', EmployeeQueue);
