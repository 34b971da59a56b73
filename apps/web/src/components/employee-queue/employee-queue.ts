import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import { isOverdue, REQUEST_ASSIGNEE_FILTERS, REQUEST_TYPES, TransferReviewDetailsSchema, type RequestAssigneeFilter, type RequestHistoryEntry, type RequestType, type RequestView } from '@bank/contracts/requests';
import type { PresenceViewer } from '@bank/contracts/presence';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, formatMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';
import { queueOrder, REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS, viewersLine } from '../request-labels';
import type { LiveConnection } from '../../live/live-connection';
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

const ASSIGNEE_FILTER_LABELS: Record<RequestAssigneeFilter, string> = { me: 'Mine', none: 'Unassigned' };
/** How often "overdue" is worked out again while the queue is open. */
const CLOCK_TICK_MS = 30_000;

function rowClass(request: RequestView, now: number): string {
  const kind = request.type === 'transfer_review' ? 'held' : request.type === 'transaction_dispute' ? 'disputed' : '';
  return `${kind}${isOverdue(request, now) ? ' overdue' : ''}`;
}

/** The hold a `transfer_review` request decides, if it is one. */
function holdIdOf(request: RequestView): string | undefined {
  if (request.type !== 'transfer_review') return undefined;
  const details = TransferReviewDetailsSchema.safeParse(request.details);
  return details.success ? details.data.holdId : undefined;
}

/**
 * The employees' live queue: pending requests, overdue ones first (past `dueAt`, marked), then
 * transfers held for review, then oldest first, with the facts to decide them — appearing and
 * leaving as `queue.changed` says; filtered by type and by whose they are. Claim one, then approve
 * or reject it with a note (a held transfer's or a disputed transfer's rejection needs its
 * reason), or release it back to the queue. A large limit increase or dispute approved once waits
 * for a second, different employee. Opening a request shows its history and tells the other
 * employees ("Emma is viewing"). Shows who handles what, and nothing of the customer's accounts
 * beyond what the request (or, for a held transfer, its review) carries.
 */
export class EmployeeQueue extends LitElement {
  static override properties = {
    pending: { state: true },
    inReview: { state: true },
    secondApproval: { state: true },
    message: { state: true },
    notice: { state: true },
    reasonErrors: { state: true },
    typeFilter: { state: true },
    assigneeFilter: { state: true },
    viewers: { state: true },
    opened: { state: true },
    now: { state: true },
  };
  declare pending: RequestView[];
  declare inReview: RequestView[];
  /** Approved once, waiting for a second, different employee (maker-checker). */
  declare secondApproval: RequestView[];
  declare typeFilter: RequestType | '';
  declare assigneeFilter: RequestAssigneeFilter | '';
  /** Who views which request (from presence.changed), the reader included. */
  declare viewers: Record<string, PresenceViewer[]>;
  /** The requests this employee has open: their history once loaded (null while loading). */
  declare opened: Record<string, RequestHistoryEntry[] | null>;
  declare now: number;
  declare message: string | null;
  /** What the last decision did, said once. */
  declare notice: string | null;
  /** A held or disputed transfer rejected without a reason: the message for its reason field, by request id. */
  declare reasonErrors: Record<string, string>;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private liveConnection: LiveConnection | undefined;
  private readonly live = new LiveSubscriptions(
    this,
    (live) => {
      this.liveConnection = live;
      for (const id of Object.keys(this.opened)) live.viewing(id);
      return [
        live.on('queue.changed', () => void this.reload()),
        live.on('request.updated', ({ data }) => {
          const shown = [...this.inReview, ...this.secondApproval].some((r) => r.id === data.id);
          if (shown || data.status === 'in_review' || data.status === 'awaiting_second_approval') void this.reload();
          if (data.id in this.opened) void this.loadHistory(data.id);
        }),
        live.onPresence(({ requestId, viewers }) => (this.viewers = { ...this.viewers, [requestId]: viewers })),
        () => (this.liveConnection = undefined),
      ];
    },
    () => void this.reload(),
  );
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private clock: ReturnType<typeof setInterval> | undefined;

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
      li.overdue {
        border-color: var(--bank-negative);
        border-width: 2px;
      }
      .overdue-tag {
        color: var(--bank-negative);
        font-weight: 700;
      }
      .presence {
        margin: 0;
        font-size: 0.9rem;
        font-style: italic;
      }
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        margin-bottom: 1rem;
      }
      .history p {
        margin: 0;
        font-size: 0.9rem;
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
    this.secondApproval = [];
    this.typeFilter = '';
    this.assigneeFilter = '';
    this.viewers = {};
    this.opened = {};
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
    void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    for (const id of Object.keys(this.opened)) this.liveConnection?.left(id);
  }

  /** One reload at a time; a change during one asks for another after it (so the last change is never missed). */
  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const api = this.session.value!.api;
          const filters = { limit: 100, ...(this.typeFilter ? { type: this.typeFilter } : {}), ...(this.assigneeFilter ? { assignee: this.assigneeFilter } : {}) };
          const [pending, inReview, secondApproval] = await Promise.all([
            api.serviceRequests({ ...filters, status: 'pending_review' }),
            api.serviceRequests({ ...filters, status: 'in_review' }),
            api.serviceRequests({ ...filters, status: 'awaiting_second_approval' }),
          ]);
          this.pending = pending.items;
          this.inReview = inReview.items;
          this.secondApproval = secondApproval.items;
          this.now = Date.now();
        } while (this.reloadAgain);
      } catch (error) {
        this.message = problemMessage(error);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private filter(event: Event): void {
    const data = new FormData(event.currentTarget as HTMLFormElement);
    this.typeFilter = String(data.get('type') ?? '') as RequestType | '';
    this.assigneeFilter = String(data.get('assignee') ?? '') as RequestAssigneeFilter | '';
    void this.reload();
  }

  /** Opens a request (its history; other employees see "… is viewing") or closes it. */
  private toggle(request: RequestView): void {
    if (request.id in this.opened) {
      const { [request.id]: _closed, ...rest } = this.opened;
      this.opened = rest;
      this.liveConnection?.left(request.id);
      return;
    }
    this.opened = { ...this.opened, [request.id]: null };
    this.liveConnection?.viewing(request.id);
    void this.loadHistory(request.id);
  }

  private async loadHistory(id: string): Promise<void> {
    try {
      const { history } = await this.session.value!.api.serviceRequest(id);
      if (id in this.opened) this.opened = { ...this.opened, [id]: history ?? [] };
    } catch (error) {
      this.message = problemMessage(error);
    }
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

  /** What every item shows: its type, when it was filed and is due (overdue marked in words), who else has it open, and its history when opened. */
  private summary(request: RequestView, status: string | null) {
    const overdue = isOverdue(request, this.now);
    const others = viewersLine(this.viewers[request.id] ?? [], this.session.value?.user?.id);
    const open = request.id in this.opened;
    const history = this.opened[request.id];
    return html`<strong>${REQUEST_TYPE_LABELS[request.type]}</strong>
      <span class="muted">${status ? html`${status} · ` : null}Filed ${formatDateTime(request.createdAt)} · Due ${formatDateTime(request.dueAt)}</span>
      ${overdue ? html`<span class="overdue-tag">Overdue</span>` : null} ${others ? html`<p class="presence" data-presence>${others}</p>` : null}
      <div>
        <button type="button" class="secondary" aria-expanded=${open ? 'true' : 'false'} @click=${() => this.toggle(request)}>${open ? 'Close' : 'Open'}</button>
      </div>
      ${open
        ? html`<div class="history">
            ${history === null
              ? html`<p class="muted">Loading the history…</p>`
              : history.map((entry) => html`<p>${formatDateTime(entry.at)}: ${REQUEST_STATUS_LABELS[entry.to]}${entry.note ? html` — ${entry.note}` : null}</p>`)}
          </div>`
        : null}`;
  }

  private filters() {
    return html`<form class="filters" aria-label="Filters" @change=${(event: Event) => this.filter(event)} @submit=${(event: Event) => event.preventDefault()}>
      <label
        >Type
        <select name="type">
          <option value="" ?selected=${this.typeFilter === ''}>All types</option>
          ${REQUEST_TYPES.map((type) => html`<option value=${type} ?selected=${this.typeFilter === type}>${REQUEST_TYPE_LABELS[type]}</option>`)}
        </select>
      </label>
      <label
        >Whose
        <select name="assignee">
          <option value="" ?selected=${this.assigneeFilter === ''}>Everyone’s</option>
          ${REQUEST_ASSIGNEE_FILTERS.map((filter) => html`<option value=${filter} ?selected=${this.assigneeFilter === filter}>${ASSIGNEE_FILTER_LABELS[filter]}</option>`)}
        </select>
      </label>
    </form>`;
  }

  override render() {
    const me = this.session.value?.user?.id;
    const api = this.session.value?.api;
    return html`<h1>Service request queue</h1>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : null} ${this.filters()}
      <div class="columns">
        <section class="card" aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for review (<span data-queue-size>${this.pending.length}</span>)</h2>
          <ul aria-label="Pending requests, overdue first, then held transfers, then oldest first">
            ${repeat(
              queueOrder(this.pending, this.now),
              (request) => request.id,
              (request) => html`<li data-request-id=${request.id} data-type=${request.type} class=${rowClass(request, this.now)}>
                ${this.summary(request, null)} ${this.facts(request, true)} ${this.details(request)}
                <div><button type="button" @click=${() => this.act(() => api!.claimRequest(request.id))}>Claim</button></div>
              </li>`,
            )}
          </ul>
          ${this.pending.length === 0 ? html`<p class="muted">Nothing waiting.</p>` : null}
        </section>
        <section class="card" aria-labelledby="review-title">
          <h2 id="review-title">In review</h2>
          <ul aria-label="Requests in review">
            ${repeat(
              queueOrder(this.inReview, this.now),
              (request) => request.id,
              (request) => html`<li data-request-id=${request.id} data-type=${request.type} class=${rowClass(request, this.now)}>
                ${this.summary(request, `${REQUEST_STATUS_LABELS[request.status]} · ${request.assigneeId === me ? 'claimed by you' : 'claimed by a colleague'}`)}
                ${this.facts(request, request.assigneeId !== me)} ${this.details(request)}
                ${request.assigneeId === me
                  ? html`${this.decisionForm(request)}
                      <div><button type="button" class="secondary" @click=${() => this.act(() => api!.releaseRequest(request.id), 'Released: it is back in the queue for anyone.')}>Release</button></div>`
                  : null}
              </li>`,
            )}
          </ul>
          ${this.inReview.length === 0 ? html`<p class="muted">Nobody is reviewing anything.</p>` : null}
        </section>
        <section class="card" aria-labelledby="second-title">
          <h2 id="second-title">Waiting for a second approval</h2>
          <ul aria-label="Requests approved once, waiting for a second employee">
            ${repeat(
              queueOrder(this.secondApproval, this.now),
              (request) => request.id,
              (request) => html`<li data-request-id=${request.id} data-type=${request.type} class=${rowClass(request, this.now)}>
                ${this.summary(request, request.assigneeId === me ? 'approved by you' : 'approved by a colleague')} ${this.facts(request, true)} ${this.details(request)}
                ${request.assigneeId === me ? html`<p class="muted">You gave the first approval: a colleague must approve or reject it.</p>` : this.decisionForm(request)}
              </li>`,
            )}
          </ul>
          ${this.secondApproval.length === 0 ? html`<p class="muted">Nothing waits for a second approval.</p>` : null}
        </section>
      </div>`;
  }
}
customElements.define('employee-queue', EmployeeQueue);
