import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { LoginRequestSchema } from '@bank/contracts/auth';
import { sessionContext } from '../../session/session-context';
import { sharedStyles } from '../shared-styles';
import { FormState, schemaFieldErrors } from '../form-errors';

/** Sign-in: email and password; a locked user or a rate limit gets a clear message. */
export class SignIn extends LitElement {
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext });

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 26rem;
        margin: 3rem auto;
      }
    `,
  ];

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const parsed = LoginRequestSchema.safeParse({ email: String(data.get('email') ?? ''), password: String(data.get('password') ?? '') });
    if (!parsed.success) return this.form.invalid(schemaFieldErrors(parsed.error));
    await this.form.submit(() => this.session.value!.signIn(parsed.data.email, parsed.data.password));
  }

  override render() {
    const { errors, message, busy } = this.form;
    const ended = this.session.value?.endedBecause;
    return html`<section class="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      ${ended ? html`<p class="notice" role="status">${ended}</p>` : null}
      <form @submit=${this.submit} novalidate>
        <label>Email
          <input name="email" type="email" autocomplete="username" required aria-invalid=${errors.email ? 'true' : 'false'} aria-describedby="email-error" />
          <span id="email-error" class="field-error">${errors.email ?? ''}</span>
        </label>
        <label>Password
          <input name="password" type="password" autocomplete="current-password" required aria-invalid=${errors.password ? 'true' : 'false'} aria-describedby="password-error" />
          <span id="password-error" class="field-error">${errors.password ?? ''}</span>
        </label>
        ${message ? html`<p class="form-error" role="alert">${message}</p>` : null}
        <button type="submit" ?disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <p class="muted">New to BankingCore? <a href="#/register">Open an account</a></p>
    </section>`;
  }
}
customElements.define('sign-in', SignIn);
