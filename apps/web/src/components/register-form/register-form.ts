import { LitElement, css, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { RegisterRequestSchema } from '@bank/contracts/auth';
import { sessionContext } from '../../session/session-context';
import { parseMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { FormState, schemaFieldErrors, type FieldErrors } from '../form-errors';

/** Opening an account: the same rules as the api (shared schemas), then signed in at once. */
export class RegisterForm extends LitElement {
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext });

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 30rem;
        margin: 3rem auto;
      }
    `,
  ];

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '');
    const errors: FieldErrors = {};
    let initialDeposit: number | undefined;
    if (field('initialDeposit').trim() !== '') {
      const parsedMoney = parseMoney(field('initialDeposit'), 'USD');
      if ('error' in parsedMoney) errors.initialDeposit = parsedMoney.error;
      else initialDeposit = parsedMoney.minor;
    }
    const parsed = RegisterRequestSchema.safeParse({ email: field('email'), fullName: field('fullName'), password: field('password'), pin: field('pin'), ...(initialDeposit ? { initialDeposit } : {}) });
    if (!parsed.success || Object.keys(errors).length > 0) return this.form.invalid({ ...(parsed.success ? {} : schemaFieldErrors(parsed.error)), ...errors });
    await this.form.submit(async () => {
      const session = this.session.value!;
      await session.api.register(parsed.data);
      await session.signIn(parsed.data.email, parsed.data.password);
      location.hash = '#/';
    });
  }

  private field(name: string, label: string, type: string, autocomplete: string, inputmode = '') {
    return html`<label>${label}
      <input name=${name} type=${type} autocomplete=${autocomplete} inputmode=${inputmode || nothing} aria-invalid=${this.form.errors[name] ? 'true' : 'false'} aria-describedby="${name}-error" />
      <span id="${name}-error" class="field-error">${this.form.errors[name] ?? ''}</span>
    </label>`;
  }

  override render() {
    return html`<section class="card" aria-labelledby="register-title">
      <h1 id="register-title">Open an account</h1>
      <form @submit=${this.submit} novalidate>
        ${this.field('fullName', 'Full name', 'text', 'name')} ${this.field('email', 'Email', 'email', 'email')}
        ${this.field('password', 'Password (at least 12 characters)', 'password', 'new-password')}
        ${this.field('pin', 'Card PIN (4 digits)', 'password', 'off', 'numeric')}
        ${this.field('initialDeposit', 'First deposit in USD (optional)', 'text', 'off', 'decimal')}
        ${this.form.message ? html`<p class="form-error" role="alert">${this.form.message}</p>` : null}
        <button type="submit" ?disabled=${this.form.busy}>${this.form.busy ? 'Opening…' : 'Open account'}</button>
      </form>
      <p class="muted">Already a customer? <a href="#/">Sign in</a></p>
    </section>`;
  }
}
customElements.define('register-form', RegisterForm);
