import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { LoginRequestSchema } from '@bank/contracts/auth';
import { RecoveryCodeSchema, TotpCodeSchema, type MfaChallengeResponse } from '@bank/contracts/mfa';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { sessionContext } from '../../session/session-context';
import { sharedStyles } from '../shared-styles';
import { FormState, problemMessage, schemaFieldErrors } from '../form-errors';

/** A refused second step in the sign-in's own words. */
function secondStepMessage(error: unknown): string {
  if (error instanceof ApiProblem && error.code === 'MFA_INVALID') return error.message;
  return problemMessage(error);
}

/**
 * Sign-in: email and password; with two-factor sign-in on, a second step asks for the code of the
 * authenticator app (or a recovery code). A locked user or a rate limit gets a clear message.
 */
export class SignIn extends LitElement {
  static override properties = { challenge: { state: true }, useRecoveryCode: { state: true } };
  /** The password step's answer while the second step is asked for. */
  declare challenge: MfaChallengeResponse | null;
  declare useRecoveryCode: boolean;
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext });

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 26rem;
        margin: 3rem auto;
      }
      .code {
        font-family: var(--bank-mono);
        letter-spacing: 0.15em;
      }
      .link {
        background: none;
        border: none;
        padding: 0;
        color: var(--bank-accent);
        text-decoration: underline;
        cursor: pointer;
      }
    `,
  ];

  constructor() {
    super();
    this.challenge = null;
    this.useRecoveryCode = false;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const parsed = LoginRequestSchema.safeParse({ email: String(data.get('email') ?? ''), password: String(data.get('password') ?? '') });
    if (!parsed.success) return this.form.invalid(schemaFieldErrors(parsed.error));
    const challenge = await this.form.submit(() => this.session.value!.signIn(parsed.data.email, parsed.data.password));
    if (challenge) this.challenge = challenge;
  }

  private async submitSecondStep(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const challenge = this.challenge;
    if (!challenge) return;
    const value = String(new FormData(event.target as HTMLFormElement).get('code') ?? '');
    const parsed = (this.useRecoveryCode ? RecoveryCodeSchema : TotpCodeSchema).safeParse(value);
    if (!parsed.success) return this.form.invalid({ code: parsed.error.issues[0]?.message ?? 'required' });
    const secondFactor = this.useRecoveryCode ? { recoveryCode: parsed.data } : { code: parsed.data };
    await this.form.submit(() => this.session.value!.verifySecondFactor(challenge.mfaToken, secondFactor), secondStepMessage);
  }

  private startOver(): void {
    this.challenge = null;
    this.useRecoveryCode = false;
    this.form.invalid({});
  }

  private toggleRecoveryCode(): void {
    this.useRecoveryCode = !this.useRecoveryCode;
    this.form.invalid({});
  }

  private renderSecondStep() {
    const { errors, message, busy } = this.form;
    return html`<section class="card" aria-labelledby="second-step-title">
      <h1 id="second-step-title">Two-factor sign-in</h1>
      <p class="muted">${this.useRecoveryCode ? 'Enter one of the recovery codes you saved. Each works once.' : 'Enter the 6-digit code your authenticator app shows now.'}</p>
      <form @submit=${this.submitSecondStep} novalidate>
        <label>${this.useRecoveryCode ? 'Recovery code' : 'Code'}
          <input
            class="code"
            name="code"
            autocomplete="one-time-code"
            inputmode=${this.useRecoveryCode ? 'text' : 'numeric'}
            required
            aria-invalid=${errors.code ? 'true' : 'false'}
            aria-describedby="code-error"
          />
          <span id="code-error" class="field-error">${errors.code ?? ''}</span>
        </label>
        ${message ? html`<p class="form-error" role="alert">${message}</p>` : null}
        <button type="submit" ?disabled=${busy}>${busy ? 'Checking…' : 'Verify'}</button>
      </form>
      <p class="muted">
        <button class="link" type="button" @click=${this.toggleRecoveryCode}>${this.useRecoveryCode ? 'Use the authenticator app instead' : 'Use a recovery code instead'}</button>
        · <button class="link" type="button" @click=${this.startOver}>Start over</button>
      </p>
    </section>`;
  }

  override render() {
    if (this.challenge) return this.renderSecondStep();
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
