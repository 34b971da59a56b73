import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import { ACCOUNT_TYPES_OF_REQUESTS, CreateRequestSchema, CUSTOMER_REQUEST_TYPES, SUBMIT_SCHEMAS, type CustomerRequestType, type RequestStatus, type RequestView } from '@bank/contracts/requests';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime, parseMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { FormState, problemFieldErrors, problemMessage, schemaFieldErrors, type FieldErrors } from '../form-errors';
import { REQUEST_STATUS_LABELS, REQUEST_TYPE_LABELS, supersedes } from '../request-labels';
import { disputeOutcome, disputeReason } from '../dispute-labels';

/**
 * Where the customer may cancel a request they filed (API.md: before an employee claims it). A
 * transfer review is cancelled through its hold, under "Pending transfers".
 */
const CANCELLABLE_BY_CUSTOMER: readonly RequestStatus[] = ['submitted', 'pending_review'];

/**
 * A customer's service requests: file one, watch its status move live, and — when an approved
 * PIN reset or name change waits for it — enter the new PIN or name before the time runs out.
 */
export class CustomerRequests extends LitElement {
  static override properties = {
    accounts: { attribute: false },
    requests: { state: true },
    type: { state: true },
    message: { state: true },
    now: { state: true },
  };
  declare accounts: AccountView[];
  declare requests: RequestView[];
  declare type: CustomerRequestType;
  /** A failure outside the filing form (loading the list, cancelling). */
  declare message: string | null;
  declare now: number;
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(this, (live) => [live.on('request.updated', ({ data }) => this.upsert(data))], () => void this.load());
  private clock: ReturnType<typeof setInterval> | undefined;
  private inputErrors: Record<string, FieldErrors> = {};
  /** The Idempotency-Key of the request being filed: kept across retries of it, new once it is filed or edited. */
  private fileKey = crypto.randomUUID();
  private readonly edited = (): void => {
    this.fileKey = crypto.randomUUID();
  };

  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 1rem 0 0;
        display: grid;
        gap: 0.6rem;
      }
      li {
        border: 1px solid var(--bank-border);
        border-radius: var(--bank-radius-control);
        padding: var(--bank-item-padding);
        overflow-wrap: anywhere;
      }
      .status {
        font-weight: 700;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
      }
    `,
  ];

  constructor() {
    super();
    this.accounts = [];
    this.requests = [];
    this.type = 'limit_increase';
    this.message = null;
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.clock = setInterval(() => (this.now = Date.now()), 1_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
  }

  /** A request filed elsewhere on the page (a dispute from the history) or changed live; an older copy never overwrites a newer. */
  upsert(request: RequestView): void {
    const known = this.requests.find((r) => r.id === request.id);
    if (known && !supersedes(request, known)) return;
    this.requests = known ? this.requests.map((r) => (r.id === request.id ? request : r)) : [request, ...this.requests];
  }

  private async load(): Promise<void> {
    try {
      this.requests = (await this.session.value!.api.serviceRequests({ limit: 20 })).items;
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private async file(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '').trim();
    const details: Record<string, unknown> = {};
    const errors: FieldErrors = {};
    if (this.type === 'kyc_update') Object.assign(details, { address: field('address'), phone: field('phone') });
    if (this.type === 'limit_increase') {
      const limit = parseMoney(field('dailyLimit'), 'USD');
      if ('error' in limit) errors['details.dailyLimit'] = limit.error;
      else details.dailyLimit = limit.minor;
    }
    const body = { type: this.type, ...(ACCOUNT_TYPES_OF_REQUESTS.includes(this.type) ? { accountId: field('accountId') } : {}), details };
    const parsed = CreateRequestSchema.safeParse(body);
    if (!parsed.success || Object.keys(errors).length > 0) return this.form.invalid({ ...(parsed.success ? {} : schemaFieldErrors(parsed.error)), ...errors });
    // One key per intended request: a double click or a retry after a timeout files it once.
    const key = this.fileKey;
    const filed = await this.form.submit(() => this.session.value!.api.fileRequest(parsed.data, key));
    if (!filed) return;
    this.fileKey = crypto.randomUUID();
    this.upsert(filed);
    (event.target as HTMLFormElement).reset();
  }

  private async submitInput(event: SubmitEvent, request: RequestView): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const schema = SUBMIT_SCHEMAS[request.type as keyof typeof SUBMIT_SCHEMAS];
    const input = request.type === 'card_pin_reset' ? { pin: String(data.get('pin') ?? '') } : { fullName: String(data.get('fullName') ?? '') };
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      this.inputErrors = { ...this.inputErrors, [request.id]: schemaFieldErrors(parsed.error) };
      this.requestUpdate();
      return;
    }
    try {
      this.upsert(await this.session.value!.api.submitRequestInput(request.id, parsed.data as Record<string, string>));
      this.inputErrors = { ...this.inputErrors, [request.id]: {} };
    } catch (error) {
      this.inputErrors = { ...this.inputErrors, [request.id]: { ...problemFieldErrors(error), form: problemMessage(error) } };
    }
    this.requestUpdate();
  }

  private async cancel(request: RequestView): Promise<void> {
    try {
      this.upsert(await this.session.value!.api.cancelRequest(request.id));
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  private timeLeft(request: RequestView): string {
    const left = Math.max(0, Math.floor((Date.parse(request.expiresAt ?? '') - this.now) / 1000));
    return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  }

  private detailFields() {
    const error = (path: string) => html`<span class="field-error" id="err-${path.replace('.', '-')}">${this.form.errors[path] ?? ''}</span>`;
    const accountSelect = ACCOUNT_TYPES_OF_REQUESTS.includes(this.type)
      ? html`<label>Account
          <select name="accountId" aria-describedby="err-accountId">
            ${this.accounts.map((account) => html`<option value=${account.id}>${account.type} · ${account.number}</option>`)}
          </select>
          ${error('accountId')}
        </label>`
      : null;
    if (this.type === 'kyc_update') {
      return html`<label>New address <input name="address" autocomplete="street-address" aria-describedby="err-details-address" />${error('details.address')}</label>
        <label>New phone <input name="phone" type="tel" autocomplete="tel" aria-describedby="err-details-phone" />${error('details.phone')}</label>`;
    }
    if (this.type === 'limit_increase') {
      return html`${accountSelect}<label>New daily limit (USD) <input name="dailyLimit" inputmode="decimal" aria-describedby="err-details-dailyLimit" />${error('details.dailyLimit')}</label>`;
    }
    return accountSelect;
  }

  private renderRequest(request: RequestView) {
    const errors = this.inputErrors[request.id] ?? {};
    const reason = disputeReason(request);
    const outcome = disputeOutcome(request);
    return html`<li data-request-id=${request.id} data-type=${request.type} data-status=${request.status}>
      <div class="row">
        <span>${REQUEST_TYPE_LABELS[request.type]}</span>
        <span class="status" role="status">${REQUEST_STATUS_LABELS[request.status]}</span>
      </div>
      <div class="muted">Filed ${formatDateTime(request.createdAt)}${outcome ? html` · ${outcome}` : null}</div>
      ${reason ? html`<div class="muted">Your reason: ${reason}</div>` : null}
      ${request.status === 'awaiting_customer'
        ? html`<form @submit=${(event: SubmitEvent) => this.submitInput(event, request)} novalidate>
            <p class="notice">Approved. ${this.timeLeft(request)} left to enter it.</p>
            ${request.type === 'card_pin_reset'
              ? html`<label>New card PIN <input name="pin" type="password" inputmode="numeric" autocomplete="off" /><span class="field-error">${errors.pin ?? ''}</span></label>`
              : html`<label>New full name <input name="fullName" autocomplete="name" /><span class="field-error">${errors.fullName ?? ''}</span></label>`}
            ${errors.form ? html`<p class="form-error" role="alert">${errors.form}</p>` : null}
            <div><button type="submit">Send</button></div>
          </form>`
        : null}
      ${request.type !== 'transfer_review' && CANCELLABLE_BY_CUSTOMER.includes(request.status)
        ? html`<button class="danger" type="button" @click=${() => this.cancel(request)}>Cancel request</button>`
        : null}
    </li>`;
  }

  override render() {
    return html`<section class="card" aria-labelledby="requests-title">
      <h2 id="requests-title">Service requests</h2>
      <form @submit=${this.file} @input=${this.edited} novalidate>
        <label>What do you need?
          <select name="type" @change=${(event: Event) => ((this.type = (event.target as HTMLSelectElement).value as CustomerRequestType), this.form.invalid({}))}>
            ${CUSTOMER_REQUEST_TYPES.map((type) => html`<option value=${type} ?selected=${type === this.type}>${REQUEST_TYPE_LABELS[type]}</option>`)}
          </select>
        </label>
        ${this.detailFields()}
        ${this.form.message ?? this.message ? html`<p class="form-error" role="alert">${this.form.message ?? this.message}</p>` : null}
        <div><button type="submit" ?disabled=${this.form.busy}>File request</button></div>
      </form>
      <ul aria-label="Your requests">
        ${this.requests.map((request) => this.renderRequest(request))}
      </ul>
    </section>`;
  }
}
customElements.define('customer-requests', CustomerRequests);
