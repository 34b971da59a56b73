import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import type { AccountView } from '@bank/contracts/accounts';
import type { PayeeView } from '@bank/contracts/payees';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import {
  CreateScheduleSchema,
  SCHEDULE_COUNT_MAX,
  scheduleProblems,
  upcomingRunDates,
  utcToday,
  type CreateSchedule,
  type ScheduleFrequency,
  type ScheduleView,
} from '@bank/contracts/schedules';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatMoney, parseMoney } from '../../format/money';
import { cardListStyles, pageStyles, sharedStyles } from '../shared-styles';
import { FormState, problemMessage, schemaFieldErrors, type FieldErrors } from '../form-errors';
import { RUN_OUTCOME_LABELS, SCHEDULE_STATUS_LABELS, refusalInWords, scheduleInWords } from '../schedule-labels';
import { scheduledTransfersPageStyles } from './scheduled-transfers-page.styles';

/** How many coming runs the form shows while the person fills it in. */
const PREVIEW_RUNS = 5;

/** What the preview is computed from: the form's date fields as typed. */
interface PreviewInput {
  startOn: string;
  frequency: ScheduleFrequency;
  count?: number;
}

/**
 * `#/scheduled`: a form for a one-off, weekly or monthly transfer with a live preview of its next
 * runs (the same date function the worker uses, from libs/contracts), the payee's masked name
 * looked up as the number is entered, and the customer's schedules with their runs and a Cancel
 * button. Follows `schedule.updated`, so a run the worker makes (or a cancel on another device)
 * shows at once.
 */
export class ScheduledTransfersPage extends LitElement {
  static override properties = {
    accounts: { state: true },
    schedules: { state: true },
    preview: { state: true },
    payee: { state: true },
    message: { state: true },
    done: { state: true },
    cancelling: { state: true },
    payees: { state: true },
  };
  declare accounts: AccountView[];
  declare schedules: ScheduleView[];
  declare preview: PreviewInput;
  /** The masked name of the number typed (or why there is none). */
  declare payee: { number: string; name: string | null; error: string | null } | null;
  declare message: string | null;
  declare done: string | null;
  declare cancelling: ReadonlySet<string>;
  /** The customer's saved payees: picked to fill the number, and named in the list of schedules. */
  declare payees: PayeeView[];
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly live = new LiveSubscriptions(this, (live) => [live.on('schedule.updated', ({ data }) => this.upsert(data))], () => void this.load());

  static override styles = [sharedStyles, pageStyles, cardListStyles, scheduledTransfersPageStyles];

  constructor() {
    super();
    this.accounts = [];
    this.schedules = [];
    this.preview = { startOn: utcToday(Date.now()), frequency: 'monthly' };
    this.payee = null;
    this.message = null;
    this.done = null;
    this.cancelling = new Set();
    this.payees = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Newest first; a schedule's view only grows (runs added, then finished or cancelled), so the one with more runs or a final status wins. */
  upsert(schedule: ScheduleView): void {
    const known = this.schedules.find((s) => s.id === schedule.id);
    if (known && (known.runsMade > schedule.runsMade || (known.status !== 'active' && schedule.status === 'active'))) return;
    this.schedules = known ? this.schedules.map((s) => (s.id === schedule.id ? schedule : s)) : [schedule, ...this.schedules].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  private async load(): Promise<void> {
    const api = this.session.value!.api;
    try {
      const [accounts, schedules] = await Promise.all([api.accounts(), api.scheduledTransfers({ limit: 100 })]);
      this.accounts = accounts.items;
      this.schedules = schedules.items;
      this.message = null;
    } catch (error) {
      this.message = problemMessage(error);
    }
    // Without its payees the page still works: numbers are typed and shown as they are.
    this.payees = (await api.payees().catch(() => null))?.items ?? this.payees;
  }

  private payeeOf(accountNumber: string): PayeeView | undefined {
    return this.payees.find((payee) => payee.accountNumber === accountNumber);
  }

  /** A saved payee picked: its number fills the field, and its holder's name shows as a looked-up one would. */
  private pickPayee(event: Event): void {
    const payee = this.payeeOf((event.target as HTMLSelectElement).value);
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="toAccountNumber"]');
    if (!payee || !input) return;
    input.value = payee.accountNumber;
    this.payee = { number: payee.accountNumber, name: payee.name, error: null };
  }

  /** A schedule's recipient as the customer knows it: the payee's nickname when saved, else the number. */
  private recipient(accountNumber: string) {
    const payee = this.payeeOf(accountNumber);
    return payee ? html`${payee.nickname} <span class="mono">(…${accountNumber.slice(-4)})</span>` : html`<span class="mono">${accountNumber}</span>`;
  }

  private field(form: HTMLFormElement, name: string): string {
    return String(new FormData(form).get(name) ?? '').trim();
  }

  private edited(event: Event): void {
    const form = event.currentTarget as HTMLFormElement;
    const frequency = this.field(form, 'frequency') as ScheduleFrequency;
    // A one-off has no count (its field leaves the form on the next render).
    const count = frequency === 'once' ? '' : this.field(form, 'count');
    this.preview = { startOn: this.field(form, 'startOn'), frequency, ...(count ? { count: Number(count) } : {}) };
    this.done = null;
  }

  private async lookUp(event: Event): Promise<void> {
    const number = (event.target as HTMLInputElement).value.replace(/\s/g, '');
    if (number === '') return void (this.payee = null);
    if (this.payee?.number === number) return;
    try {
      const found = await this.session.value!.api.lookupAccount(number);
      this.payee = { number, name: found.name, error: null };
    } catch (error) {
      const unknown = error instanceof ApiProblem && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_FAILED');
      this.payee = { number, name: null, error: unknown ? 'No account has this number. Check the number.' : problemMessage(error) };
    }
  }

  /** The request body, or the field errors: the api's own schema and its "can this run" check. */
  private validate(form: HTMLFormElement): { body: CreateSchedule } | { errors: FieldErrors } {
    const errors: FieldErrors = {};
    const account = this.accounts.find((a) => a.id === this.field(form, 'fromAccountId'));
    const amount = parseMoney(this.field(form, 'amount'), account?.currency ?? 'USD');
    if ('error' in amount) errors.amount = amount.error;
    const description = this.field(form, 'description');
    const count = this.field(form, 'frequency') === 'once' ? '' : this.field(form, 'count');
    const candidate = {
      fromAccountId: account?.id ?? '',
      toAccountNumber: this.field(form, 'toAccountNumber').replace(/\s/g, ''),
      amount: 'minor' in amount ? amount.minor : 1,
      ...(description ? { description } : {}),
      startOn: this.field(form, 'startOn'),
      frequency: this.field(form, 'frequency'),
      ...(count ? { count: Number(count) } : {}),
    };
    const parsed = CreateScheduleSchema.safeParse(candidate);
    if (!parsed.success) return { errors: { ...schemaFieldErrors(parsed.error), ...errors } };
    for (const problem of scheduleProblems(parsed.data, utcToday(Date.now()))) errors[problem.path] ??= problem.message;
    return Object.keys(errors).length > 0 ? { errors } : { body: parsed.data };
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.form.busy) return;
    const form = event.target as HTMLFormElement;
    const checked = this.validate(form);
    this.done = null;
    if ('errors' in checked) return this.form.invalid(checked.errors);
    const created = await this.form.submit(() => this.session.value!.api.createScheduledTransfer(checked.body));
    if (!created) return;
    this.upsert(created);
    form.reset();
    this.preview = { startOn: utcToday(Date.now()), frequency: 'monthly' };
    this.payee = null;
    const currency = this.accounts.find((a) => a.id === created.fromAccountId)?.currency ?? 'USD';
    this.done = `Scheduled: ${formatMoney(created.amount, currency)} to ${created.toAccountNumber}, ${scheduleInWords(created).toLowerCase()}. First run on ${created.nextRunOn}.`;
  }

  private async cancel(schedule: ScheduleView): Promise<void> {
    if (this.cancelling.has(schedule.id)) return;
    this.cancelling = new Set([...this.cancelling, schedule.id]);
    this.message = null;
    try {
      this.upsert(await this.session.value!.api.cancelScheduledTransfer(schedule.id));
    } catch (error) {
      this.message = error instanceof ApiProblem && error.code === 'INVALID_STATE_TRANSITION' ? 'This schedule has already finished or been cancelled.' : problemMessage(error);
      void this.load();
    } finally {
      this.cancelling = new Set([...this.cancelling].filter((id) => id !== schedule.id));
    }
  }

  private input(name: string, label: string, attributes: { type?: string; inputmode?: string; value?: string; min?: string; max?: string; hint?: string } = {}) {
    const error = this.form.errors[name];
    return html`<label
      >${label}
      <input
        name=${name}
        type=${attributes.type ?? 'text'}
        inputmode=${attributes.inputmode ?? 'text'}
        autocomplete="off"
        value=${attributes.value ?? ''}
        min=${attributes.min ?? ''}
        max=${attributes.max ?? ''}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="schedule-${name}-error"
        @change=${name === 'toAccountNumber' ? this.lookUp : null}
      />
      <span id="schedule-${name}-error" class="field-error">${error ?? (name === 'toAccountNumber' ? (this.payee?.error ?? '') : '')}</span>
      ${name === 'toAccountNumber' && this.payee?.name ? html`<span class="muted" data-payee-name>Holder: ${this.payee.name}</span>` : null}
      ${attributes.hint ? html`<span class="muted">${attributes.hint}</span>` : null}
    </label>`;
  }

  private renderPreview() {
    const { preview } = this;
    const problems = scheduleProblems(preview, utcToday(Date.now()));
    const dates = problems.length === 0 ? upcomingRunDates(preview, PREVIEW_RUNS) : [];
    return html`<div class="preview" aria-live="polite" data-preview>
      ${dates.length > 0
        ? html`<strong>${dates.length === 1 ? 'It runs on' : `Next ${dates.length} runs`}</strong>
            <ol>
              ${dates.map((date) => html`<li>${date}</li>`)}
            </ol>`
        : html`<span class="muted">${problems[0] ? `It cannot run: ${problems[0].path === 'startOn' ? 'the first run' : 'the number of runs'} ${problems[0].message}.` : 'Choose a first run date.'}</span>`}
    </div>`;
  }

  private renderForm() {
    const today = utcToday(Date.now());
    const once = this.preview.frequency === 'once';
    return html`<section class="card" aria-labelledby="schedule-form-title">
      <h2 id="schedule-form-title">Schedule a transfer</h2>
      <form @submit=${this.submit} @input=${this.edited} @change=${this.edited} novalidate aria-label="Schedule a transfer">
        <div class="row">
          <label
            >From account
            <select name="fromAccountId" aria-describedby="schedule-fromAccountId-error">
              ${this.accounts.map((account) => html`<option value=${account.id}>${account.number} · ${formatMoney(account.availableBalance, account.currency)}</option>`)}
            </select>
            <span id="schedule-fromAccountId-error" class="field-error">${this.form.errors.fromAccountId ?? ''}</span>
          </label>
          ${this.payees.length > 0
            ? html`<label
                >Saved payee
                <select name="payee" data-payee-picker @change=${this.pickPayee}>
                  <option value="">None: type a number</option>
                  ${this.payees.map((payee) => html`<option value=${payee.accountNumber}>${payee.nickname} · ${payee.name} (…${payee.accountNumber.slice(-4)})</option>`)}
                </select>
              </label>`
            : null}
          ${this.input('toAccountNumber', 'To account number', { inputmode: 'numeric' })} ${this.input('amount', 'Amount (USD)', { inputmode: 'decimal' })}
          ${this.input('description', 'Description (optional)')}
        </div>
        <div class="row">
          ${this.input('startOn', 'First run (UTC date)', { type: 'date', value: today, min: today })}
          <label
            >How often
            <select name="frequency" aria-describedby="schedule-frequency-error">
              <option value="once" ?selected=${this.preview.frequency === 'once'}>Once</option>
              <option value="weekly" ?selected=${this.preview.frequency === 'weekly'}>Every week</option>
              <option value="monthly" ?selected=${this.preview.frequency === 'monthly'}>Every month</option>
            </select>
            <span id="schedule-frequency-error" class="field-error">${this.form.errors.frequency ?? ''}</span>
          </label>
          ${once ? null : this.input('count', 'Number of runs (optional)', { type: 'number', inputmode: 'numeric', min: '1', max: String(SCHEDULE_COUNT_MAX), hint: 'Leave empty to run until you cancel.' })}
        </div>
        ${this.renderPreview()}
        ${this.form.message ? html`<p class="form-error" role="alert">${this.form.message}</p>` : null}
        ${this.done ? html`<p class="notice" role="status">${this.done}</p>` : null}
        <div><button type="submit" ?disabled=${this.form.busy || this.accounts.length === 0}>${this.form.busy ? 'Scheduling…' : 'Schedule transfer'}</button></div>
      </form>
    </section>`;
  }

  private renderSchedule(schedule: ScheduleView) {
    const currency = this.accounts.find((a) => a.id === schedule.fromAccountId)?.currency ?? 'USD';
    const busy = this.cancelling.has(schedule.id);
    return html`<li data-schedule-id=${schedule.id} data-status=${schedule.status}>
      <div class="head">
        <span><span class="amount">${formatMoney(schedule.amount, currency)}</span> to ${this.recipient(schedule.toAccountNumber)}${schedule.description ? html` · ${schedule.description}` : null}</span>
        <span class="status" data-schedule-status>${SCHEDULE_STATUS_LABELS[schedule.status]}</span>
      </div>
      <div class="muted">${scheduleInWords(schedule)}${schedule.nextRunOn ? html` · next run <strong data-next-run>${schedule.nextRunOn}</strong>` : null}</div>
      ${schedule.runs.length > 0
        ? html`<table>
            <caption class="muted" style="text-align:left">Runs (${schedule.runsMade})</caption>
            <thead>
              <tr><th scope="col">Date</th><th scope="col">Outcome</th></tr>
            </thead>
            <tbody>
              ${schedule.runs.map(
                (run) => html`<tr data-run-on=${run.on} data-outcome=${run.outcome}>
                  <td>${run.on}</td>
                  <td>${RUN_OUTCOME_LABELS[run.outcome]}${run.outcome === 'refused' ? html`: ${refusalInWords(run.code)}` : null}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<div class="muted">No runs yet.</div>`}
      ${schedule.status === 'active'
        ? html`<div class="actions">
            <button class="danger" type="button" ?disabled=${busy} aria-label="Cancel the schedule of ${formatMoney(schedule.amount, currency)} to ${schedule.toAccountNumber}" @click=${() => this.cancel(schedule)}>
              ${busy ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>`
        : null}
    </li>`;
  }

  override render() {
    return html`<h1>Scheduled transfers</h1>
      ${this.renderForm()}
      <section class="card" aria-labelledby="schedules-title">
        <h2 id="schedules-title">Your schedules</h2>
        ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
        ${this.schedules.length > 0
          ? html`<ul class="cards schedules" aria-label="Scheduled transfers, newest first">
              ${repeat(
                this.schedules,
                (schedule) => schedule.id,
                (schedule) => this.renderSchedule(schedule),
              )}
            </ul>`
          : html`<p class="muted">No scheduled transfers yet.</p>`}
      </section>`;
  }
}
customElements.define('scheduled-transfers-page', ScheduledTransfersPage);
