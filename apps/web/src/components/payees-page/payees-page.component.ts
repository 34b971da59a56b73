import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task } from '@lit/task';
import type { AccountLookup } from '@bank/contracts/accounts';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { CreatePayeeRequestSchema, PAYEE_NICKNAME_MAX, type CreatePayeeRequest, type PayeeView } from '@bank/contracts/payees';
import { sessionContext } from '../../session/session-context';
import { confirmStepStyles, pageStyles, sharedStyles } from '../shared-styles';
import { FormState, problemMessage, schemaFieldErrors } from '../form-errors';
import { payeesPageStyles } from './payees-page.styles';

/** `123456789012` → `1234 5678 9012`: easier to read back against a paper or an invoice. */
export function groupedAccountNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** A checked payee waiting for the person's yes: what will be saved and whose account it is. */
interface PayeeToConfirm {
  body: CreatePayeeRequest;
  holder: AccountLookup;
}

/**
 * The Payees page (`#/payees`): the customer's saved payees (nickname, the holder's masked name,
 * the number) with Delete — asked again in the row before anything is deleted — and the add form.
 * Adding names the holder first (`GET /accounts/lookup`): "Save Bob B. (…1234) as “Landlord”?"
 * with Save payee or Back, so a typo shows as a stranger's name before it is kept. The
 * transfer form on the Accounts page offers the saved payees.
 */
export class PayeesPage extends LitElement {
  static override properties = {
    confirming: { state: true },
    deleting: { state: true },
    notice: { state: true },
  };
  declare confirming: PayeeToConfirm | null;
  /** The payee whose Delete was pressed once: its row asks again. */
  declare deleting: string | null;
  declare notice: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly addForm = new FormState(this);
  private readonly listAction = new FormState(this);
  private readonly payees = new Task(this, {
    task: async () => (await this.session.value!.api.payees()).items,
    args: () => [],
  });

  static override styles = [sharedStyles, pageStyles, confirmStepStyles, payeesPageStyles];

  constructor() {
    super();
    this.confirming = null;
    this.deleting = null;
    this.notice = null;
  }

  private async check(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.addForm.busy || this.confirming) return;
    const data = new FormData(event.target as HTMLFormElement);
    const parsed = CreatePayeeRequestSchema.safeParse({
      accountNumber: String(data.get('accountNumber') ?? '').replace(/\s/g, ''),
      nickname: String(data.get('nickname') ?? ''),
    });
    this.notice = null;
    if (!parsed.success) return this.addForm.invalid(schemaFieldErrors(parsed.error));
    let refusal: unknown;
    const holder = await this.addForm.submit(
      () => this.session.value!.api.lookupAccount(parsed.data.accountNumber),
      (error) => ((refusal = error), problemMessage(error)),
    );
    if (!holder) {
      // The lookup names its field `number`; here it is the account number field.
      if (refusal instanceof ApiProblem && refusal.code === 'NOT_FOUND') this.addForm.invalid({ accountNumber: 'No account can receive money at this number. Check it and try again.' });
      else if (refusal instanceof ApiProblem && refusal.code === 'VALIDATION_FAILED') this.addForm.invalid({ accountNumber: refusal.fieldError('number') ?? refusal.message });
      return;
    }
    this.confirming = { body: parsed.data, holder };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-save]')?.focus();
  }

  private back(): void {
    this.confirming = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input[name="accountNumber"]')?.focus());
  }

  private async save(): Promise<void> {
    const confirming = this.confirming;
    if (this.addForm.busy || !confirming) return;
    const saved = await this.addForm.submit(() => this.session.value!.api.savePayee(confirming.body));
    this.confirming = null;
    if (!saved) return;
    this.renderRoot.querySelector<HTMLFormElement>('form[data-add-payee]')?.reset();
    this.notice = `Saved ${saved.nickname} (${saved.name}, …${saved.accountNumber.slice(-4)}).`;
    void this.payees.run();
  }

  private async deletePayee(payee: PayeeView): Promise<void> {
    const done = await this.listAction.submit(async () => {
      await this.session.value!.api.deletePayee(payee.id);
      return true;
    });
    this.deleting = null;
    if (!done) return;
    this.notice = `Deleted ${payee.nickname}.`;
    void this.payees.run();
  }

  private askToDelete(payee: PayeeView): void {
    this.deleting = payee.id;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`tr[data-payee-id="${payee.id}"] [data-delete-confirm]`)?.focus());
  }

  private field(name: keyof CreatePayeeRequest, label: string, inputmode: string) {
    const error = this.addForm.errors[name];
    return html`<label
      >${label}
      <input
        name=${name}
        type="text"
        inputmode=${inputmode}
        autocomplete="off"
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="payee-${name}-error"
      />
      <span id="payee-${name}-error" class="field-error">${error ?? ''}</span>
    </label>`;
  }

  private renderConfirmation({ body, holder }: PayeeToConfirm) {
    return html`<div class="confirm" role="group" aria-labelledby="payee-confirm-question">
      <p id="payee-confirm-question" data-payee-question>
        <strong>Save ${holder.name} (…${holder.accountNumber.slice(-4)}) as “${body.nickname}”?</strong>
      </p>
      <p class="muted">The name is the holder's, shortened. If it is not whom you mean to pay, go back and check the number.</p>
      <div class="buttons">
        <button type="button" data-save ?disabled=${this.addForm.busy} @click=${this.save}>${this.addForm.busy ? 'Saving…' : 'Save payee'}</button>
        <button type="button" class="secondary" ?disabled=${this.addForm.busy} @click=${this.back}>Back</button>
      </div>
    </div>`;
  }

  private renderPayees(items: PayeeView[]) {
    if (items.length === 0) return html`<p class="muted" data-payees-empty>No payees yet. Add one below to pick it when you send money.</p>`;
    return html`<table class="stacked" data-payees>
      <thead>
        <tr>
          <th scope="col">Nickname</th>
          <th scope="col">Holder</th>
          <th scope="col">Account number</th>
          <th scope="col"><span class="visually-hidden">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (payee) =>
            html`<tr data-payee-id=${payee.id}>
              <td class="nickname" data-label="Nickname">${payee.nickname}</td>
              <td data-label="Holder" data-payee-name>${payee.name}</td>
              <td data-label="Account number" class="mono">${groupedAccountNumber(payee.accountNumber)}</td>
              <td class="amount actions">
                ${this.deleting === payee.id
                  ? html`<div class="buttons" role="group" aria-label="Delete ${payee.nickname}?">
                      <span>Delete ${payee.nickname}?</span>
                      <button type="button" class="danger" data-delete-confirm ?disabled=${this.listAction.busy} @click=${() => this.deletePayee(payee)}>Delete</button>
                      <button type="button" class="secondary" ?disabled=${this.listAction.busy} @click=${() => (this.deleting = null)}>Keep</button>
                    </div>`
                  : html`<button type="button" class="secondary" aria-label="Delete ${payee.nickname}" @click=${() => this.askToDelete(payee)}>Delete</button>`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  override render() {
    const confirming = this.confirming;
    return html`<h1>Payees</h1>
      <p class="notice" role="status" ?hidden=${!this.notice}>${this.notice ?? ''}</p>
      <section class="card" aria-labelledby="payees-title">
        <h2 id="payees-title">Your payees</h2>
        ${this.payees.render({
          pending: () => html`<p class="muted" role="status">Loading payees…</p>`,
          complete: (items) => this.renderPayees(items),
          error: (error) => html`<p class="form-error" role="alert">${problemMessage(error)}</p>`,
        })}
        ${this.listAction.message ? html`<p class="form-error" role="alert">${this.listAction.message}</p>` : nothing}
      </section>
      <section class="card" aria-labelledby="add-payee-title">
        <h2 id="add-payee-title">Add a payee</h2>
        <form data-add-payee @submit=${this.check} @input=${() => (this.notice = null)} novalidate aria-labelledby="add-payee-title">
          <fieldset ?disabled=${confirming !== null}>
            <div class="fields">
              ${this.field('accountNumber', 'Account number (12 digits)', 'numeric')}
              ${this.field('nickname', `Nickname (up to ${PAYEE_NICKNAME_MAX} characters)`, 'text')}
            </div>
          </fieldset>
          ${this.addForm.message ? html`<p class="form-error" role="alert">${this.addForm.message}</p>` : nothing}
          ${confirming
            ? this.renderConfirmation(confirming)
            : html`<div><button type="submit" ?disabled=${this.addForm.busy}>${this.addForm.busy ? 'Checking…' : 'Check and add'}</button></div>`}
        </form>
      </section>`;
  }
}
customElements.define('payees-page', PayeesPage);
