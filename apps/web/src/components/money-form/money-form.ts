import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { AccountLookup, AccountView } from '@bank/contracts/accounts';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { DepositRequestSchema, TransferRequestSchema, WithdrawalRequestSchema } from '@bank/contracts/ledger';
import type { MoneyMoved } from '@bank/contracts/ledger';
import type { TransferHeld } from '@bank/contracts/holds';
import type { PayeeView } from '@bank/contracts/payees';
import { sessionContext } from '../../session/session-context';
import { formatMoney, parseMoney } from '../../format/money';
import { confirmStepStyles, sharedStyles } from '../shared-styles';
import { FormState, schemaFieldErrors, type FieldErrors } from '../form-errors';
import { HOLD_REASON_LABELS } from '../hold-labels';
import { moneyProblemMessage } from './money-problems';

export type MoneyFormMode = 'deposit' | 'withdraw' | 'transfer';

const TITLES: Record<MoneyFormMode, string> = { deposit: 'Deposit', withdraw: 'Withdraw', transfer: 'Transfer' };

/** A checked transfer waiting for the person's yes: its body and whom it reaches. */
interface TransferToConfirm {
  body: Record<string, unknown> & { amount: number };
  payee: AccountLookup;
}

/**
 * Deposit, withdrawal or transfer from one account: checked with the api's own schemas as the
 * person types, server errors shown by field. One idempotency key per intended payment: a double
 * click or a retry after a lost answer sends the same key, so the money moves once; editing the
 * form or a success starts a new one. A transfer is confirmed first: the payee's number is looked
 * up (`GET /accounts/lookup`) and the person answers "Send $X to Bob B. (…1234)?" with Confirm or
 * Back — a typo in a number shows as a stranger's name before any money moves. Fires
 * `money-moved` with the api's answer, or — when a transfer is held for review (202, API.md
 * "Holds"), which is not a failure — `transfer-held`.
 */
export class MoneyForm extends LitElement {
  static override properties = {
    mode: { reflect: true },
    account: { attribute: false },
    done: { state: true },
    confirming: { state: true },
    payees: { state: true },
  };
  declare mode: MoneyFormMode;
  declare account: AccountView | undefined;
  declare done: string | null;
  declare confirming: TransferToConfirm | null;
  /** The customer's saved payees for the transfer's picker; null until loaded (or when they cannot be: a typed number still works). */
  declare payees: PayeeView[] | null;
  private payeesRequested = false;
  private readonly form = new FormState(this);
  private idempotencyKey = crypto.randomUUID();
  private readonly session = new ContextConsumer(this, { context: sessionContext });

  static override styles = [
    sharedStyles,
    confirmStepStyles,
    css`
      .row {
        display: grid;
        gap: 0.85rem;
        grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
      }
    `,
  ];

  constructor() {
    super();
    this.mode = 'deposit';
    this.done = null;
    this.confirming = null;
    this.payees = null;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // Another kind of payment or another account: what was about to be confirmed no longer is.
    if ((changed.has('mode') && changed.get('mode') !== undefined) || (changed.has('account') && (changed.get('account') as AccountView | undefined)?.id !== this.account?.id)) this.confirming = null;
  }

  override updated(): void {
    if (this.mode !== 'transfer' || this.payeesRequested || !this.session.value) return;
    this.payeesRequested = true;
    this.session.value.api.payees().then(
      (list) => (this.payees = list.items),
      () => (this.payees = null),
    );
  }

  private payeeOf(accountNumber: unknown): PayeeView | undefined {
    return this.payees?.find((payee) => payee.accountNumber === accountNumber);
  }

  /** A saved payee picked: its number fills the number field (and goes through the same confirmation as a typed one). */
  private pickPayee(event: Event): void {
    const number = (event.target as HTMLSelectElement).value;
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="toAccountNumber"]');
    if (!input || !number) return;
    input.value = number;
    const { toAccountNumber: _cleared, ...others } = this.form.errors;
    this.form.invalid(others);
  }

  /** Typing a number: the picker shows the payee it belongs to, or "type a number". */
  private typedNumber(event: Event): void {
    const target = event.target as HTMLInputElement;
    const picker = this.renderRoot.querySelector<HTMLSelectElement>('select[name="payee"]');
    if (target.name === 'toAccountNumber' && picker) picker.value = this.payeeOf(target.value.replace(/\s/g, ''))?.accountNumber ?? '';
  }

  /** The request body for the api, or the field errors (the same schemas as the server). */
  validate(form: HTMLFormElement): { body: Record<string, unknown> } | { errors: FieldErrors } {
    const data = new FormData(form);
    const field = (name: string) => String(data.get(name) ?? '').trim();
    const errors: FieldErrors = {};
    const amount = parseMoney(field('amount'), this.account?.currency ?? 'USD');
    if ('error' in amount) errors.amount = amount.error;
    const description = field('description') || undefined;
    const base = { amount: 'minor' in amount ? amount.minor : 1, ...(description ? { description } : {}) };
    const schema = this.mode === 'deposit' ? DepositRequestSchema : this.mode === 'withdraw' ? WithdrawalRequestSchema : TransferRequestSchema;
    const candidate =
      this.mode === 'deposit' ? base : this.mode === 'withdraw' ? { ...base, pin: field('pin') } : { ...base, fromAccountId: this.account?.id ?? '', toAccountNumber: field('toAccountNumber').replace(/\s/g, '') };
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) Object.assign(errors, schemaFieldErrors(parsed.error), errors.amount ? { amount: errors.amount } : {});
    return Object.keys(errors).length > 0 || !parsed.success ? { errors } : { body: parsed.data as Record<string, unknown> };
  }

  private edited(event: Event): void {
    this.typedNumber(event);
    this.idempotencyKey = crypto.randomUUID();
    this.done = null;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const account = this.account;
    if (this.form.busy || !account || this.confirming) return;
    const form = event.target as HTMLFormElement;
    const checked = this.validate(form);
    this.done = null;
    if ('errors' in checked) return this.form.invalid(checked.errors);
    if (this.mode === 'transfer') return this.askToConfirm(checked.body as TransferToConfirm['body'], account.currency);
    const api = this.session.value!.api;
    const key = this.idempotencyKey;
    const answer = await this.form.submit<MoneyMoved>(
      () => (this.mode === 'deposit' ? api.deposit(account.id, checked.body as never, key) : api.withdraw(account.id, checked.body as never, key)),
      (error) => moneyProblemMessage(error, account.currency),
    );
    if (answer) this.succeeded(answer);
  }

  /** Names the payee, then waits for Confirm or Back; an unknown number is said at its field. */
  private async askToConfirm(body: TransferToConfirm['body'], currency: string): Promise<void> {
    let refusal: unknown;
    const payee = await this.form.submit(
      () => this.session.value!.api.lookupAccount(String(body.toAccountNumber)),
      (error) => ((refusal = error), moneyProblemMessage(error, currency)),
    );
    if (!payee) {
      if (refusal instanceof ApiProblem && (refusal.code === 'NOT_FOUND' || refusal.code === 'VALIDATION_FAILED')) {
        this.form.invalid({ toAccountNumber: refusal.code === 'NOT_FOUND' ? moneyProblemMessage(refusal, currency) : (refusal.fieldError('number') ?? refusal.message) });
      }
      return;
    }
    this.confirming = { body, payee };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-confirm]')?.focus();
  }

  private back(): void {
    this.confirming = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input[name="amount"]')?.focus());
  }

  private async confirm(): Promise<void> {
    const account = this.account;
    const confirming = this.confirming;
    if (this.form.busy || !account || !confirming) return;
    const key = this.idempotencyKey;
    const answer = await this.form.submit<MoneyMoved | TransferHeld>(
      () => this.session.value!.api.transferOrHold(confirming.body as never, key),
      (error) => moneyProblemMessage(error, account.currency),
    );
    this.confirming = null;
    if (answer) this.succeeded(answer);
  }

  private succeeded(answer: MoneyMoved | TransferHeld): void {
    this.renderRoot.querySelector('form')?.reset();
    this.idempotencyKey = crypto.randomUUID();
    if ('hold' in answer) {
      const { hold, account: after } = answer;
      this.done = `Transfer of ${formatMoney(hold.amount, hold.currency)} held for review (${HOLD_REASON_LABELS[hold.reason].toLowerCase()}). It is sent once the bank approves it; until then the amount is reserved. Available balance ${formatMoney(after.availableBalance, after.currency)}.`;
      this.dispatchEvent(new CustomEvent<TransferHeld>('transfer-held', { detail: answer, bubbles: true, composed: true }));
      return;
    }
    this.done = `${TITLES[this.mode]} of ${formatMoney(answer.transaction.amount, answer.transaction.currency)} done. New balance ${formatMoney(answer.account.balance, answer.account.currency)}.`;
    this.dispatchEvent(new CustomEvent<MoneyMoved>('money-moved', { detail: answer, bubbles: true, composed: true }));
  }

  private input(name: string, label: string, attributes: { type?: string; inputmode?: string; autocomplete?: string } = {}) {
    return html`<label>${label}
      <input
        name=${name}
        type=${attributes.type ?? 'text'}
        inputmode=${attributes.inputmode ?? 'text'}
        autocomplete=${attributes.autocomplete ?? 'off'}
        aria-invalid=${this.form.errors[name] ? 'true' : 'false'}
        aria-describedby="${this.mode}-${name}-error"
      />
      <span id="${this.mode}-${name}-error" class="field-error">${this.form.errors[name] ?? ''}</span>
    </label>`;
  }

  private payeePicker(payees: PayeeView[]) {
    return html`<label
      >Saved payee
      <select name="payee" data-payee-picker @change=${this.pickPayee}>
        <option value="">None: type a number</option>
        ${payees.map((payee) => html`<option value=${payee.accountNumber}>${payee.nickname} · ${payee.name} (…${payee.accountNumber.slice(-4)})</option>`)}
      </select>
    </label>`;
  }

  private renderConfirmation(confirming: TransferToConfirm) {
    const currency = this.account?.currency ?? 'USD';
    const { payee, body } = confirming;
    const saved = this.payeeOf(payee.accountNumber);
    return html`<div class="confirm" role="group" aria-labelledby="${this.mode}-confirm-question">
      <p id="${this.mode}-confirm-question" data-confirm-question>
        <strong>Send ${formatMoney(body.amount, currency)} to ${payee.name} (…${payee.accountNumber.slice(-4)})?</strong>
      </p>
      ${saved ? html`<p data-confirm-payee>Your payee “${saved.nickname}”.</p>` : null}
      <p class="muted">The name is the holder's, shortened. If it is not whom you mean to pay, go back and check the number.</p>
      <div class="buttons">
        <button type="button" data-confirm ?disabled=${this.form.busy} @click=${this.confirm}>${this.form.busy ? 'Sending…' : 'Confirm'}</button>
        <button type="button" class="secondary" ?disabled=${this.form.busy} @click=${this.back}>Back</button>
      </div>
    </div>`;
  }

  override render() {
    const title = TITLES[this.mode];
    const confirming = this.confirming;
    return html`<form @submit=${this.submit} @input=${this.edited} novalidate aria-label=${title}>
      <fieldset ?disabled=${confirming !== null}>
        <div class="row">
          ${this.input('amount', `Amount (${this.account?.currency ?? 'USD'})`, { inputmode: 'decimal' })}
          ${this.mode === 'transfer' && this.payees && this.payees.length > 0 ? this.payeePicker(this.payees) : null}
          ${this.mode === 'transfer' ? this.input('toAccountNumber', 'To account number', { inputmode: 'numeric' }) : null}
          ${this.mode === 'withdraw' ? this.input('pin', 'Card PIN', { type: 'password', inputmode: 'numeric' }) : null}
          ${this.input('description', 'Description (optional)')}
        </div>
      </fieldset>
      ${this.form.message ? html`<p class="form-error" role="alert">${this.form.message}</p>` : null}
      ${this.done ? html`<p class="notice" role="status">${this.done}</p>` : null}
      ${confirming
        ? this.renderConfirmation(confirming)
        : html`<div><button type="submit" ?disabled=${this.form.busy || !this.account}>${this.form.busy ? (this.mode === 'transfer' ? 'Checking…' : 'Sending…') : title}</button></div>`}
    </form>`;
  }
}
customElements.define('money-form', MoneyForm);
