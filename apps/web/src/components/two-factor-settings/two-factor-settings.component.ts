import { LitElement, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { TotpCodeSchema, TotpDisableRequestSchema, type MfaStatus, type TotpSetupResponse } from '@bank/contracts/mfa';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { sessionContext } from '../../session/session-context';
import { sharedStyles } from '../shared-styles';
import { FormState, problemMessage, schemaFieldErrors } from '../form-errors';
import { twoFactorSettingsStyles } from './two-factor-settings.styles';

/** Where the element is in its flow: showing the state, enrolling, showing the new recovery codes, or turning it off. */
type Step = 'status' | 'enrol' | 'recovery-codes' | 'disable';

/** The event fired when two-factor sign-in was turned on or off. */
export type MfaChangedEvent = CustomEvent<{ totpEnabled: boolean }>;

function describe(error: unknown): string {
  if (error instanceof ApiProblem && (error.code === 'MFA_INVALID' || error.code === 'PASSWORD_INVALID')) return error.message;
  return problemMessage(error);
}

/**
 * Two-factor sign-in (TOTP) for the signed-in user: turn it on (scan the QR code or type the
 * secret, confirm with a first code, then save the ten recovery codes shown this once) and turn it
 * off (password and a code). Fires `mfa-changed` (`{totpEnabled}`) after either.
 */
export class TwoFactorSettings extends LitElement {
  static override properties = { status: { state: true }, step: { state: true }, enrolment: { state: true }, recoveryCodes: { state: true } };
  declare status: MfaStatus | null;
  declare step: Step;
  declare enrolment: TotpSetupResponse | null;
  declare recoveryCodes: string[];
  private readonly form = new FormState(this);
  private readonly session = new ContextConsumer(this, { context: sessionContext, subscribe: true });

  static override styles = [sharedStyles, twoFactorSettingsStyles];

  constructor() {
    super();
    this.status = null;
    this.step = 'status';
    this.enrolment = null;
    this.recoveryCodes = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get api() {
    return this.session.value!.api;
  }

  private async load(): Promise<void> {
    this.status = await this.form.submit(() => this.api.mfaStatus()) ?? null;
  }

  private async startEnrolment(): Promise<void> {
    const enrolment = await this.form.submit(() => this.api.totpSetup(), describe);
    if (!enrolment) return;
    this.enrolment = enrolment;
    this.step = 'enrol';
  }

  private async confirm(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const parsed = TotpCodeSchema.safeParse(String(new FormData(event.target as HTMLFormElement).get('code') ?? ''));
    if (!parsed.success) return this.form.invalid({ code: parsed.error.issues[0]?.message ?? 'required' });
    const confirmed = await this.form.submit(() => this.api.totpConfirm(parsed.data), describe);
    if (!confirmed) return;
    this.enrolment = null;
    this.recoveryCodes = confirmed.recoveryCodes;
    this.step = 'recovery-codes';
    this.status = { totpEnabled: true, enrolmentRequired: false };
  }

  /** The codes are gone from the page once the user says they kept them. */
  private savedRecoveryCodes(): void {
    this.recoveryCodes = [];
    this.step = 'status';
    this.changed(true);
  }

  private async disable(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const parsed = TotpDisableRequestSchema.safeParse({ password: String(data.get('password') ?? ''), code: String(data.get('code') ?? '') });
    if (!parsed.success) return this.form.invalid(schemaFieldErrors(parsed.error));
    const done = await this.form.submit(async () => (await this.api.totpDisable(parsed.data.password, parsed.data.code), true), describe);
    if (!done) return;
    this.status = { totpEnabled: false, enrolmentRequired: this.status?.enrolmentRequired ?? false };
    this.step = 'status';
    this.changed(false);
  }

  private changed(totpEnabled: boolean): void {
    this.dispatchEvent(new CustomEvent('mfa-changed', { detail: { totpEnabled }, bubbles: true, composed: true }) satisfies MfaChangedEvent);
  }

  private cancel(): void {
    this.enrolment = null;
    this.step = 'status';
    this.form.invalid({});
  }

  private codeField(label: string, hint: string) {
    const { errors } = this.form;
    return html`<label>${label}
      <input class="mono" name="code" autocomplete="one-time-code" required aria-invalid=${errors.code ? 'true' : 'false'} aria-describedby="tfa-code-error tfa-code-hint" />
      <span id="tfa-code-hint" class="muted">${hint}</span>
      <span id="tfa-code-error" class="field-error">${errors.code ?? ''}</span>
    </label>`;
  }

  private renderStep() {
    const { errors, busy } = this.form;
    switch (this.step) {
      case 'enrol': {
        const enrolment = this.enrolment!;
        // Our own api's SVG, still shown as an image (never parsed into the page), so no script in it could run.
        const qrSource = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`;
        return html`<ol>
            <li>Scan this QR code with an authenticator app (Google Authenticator, 1Password, Aegis…):
              <img class="qr" src=${qrSource} alt="QR code of your two-factor secret" width="192" height="192" />
            </li>
            <li>Or type this secret into the app: <code class="secret" data-totp-secret>${enrolment.secret}</code></li>
            <li>Then enter the code the app shows to confirm.</li>
          </ol>
          <form @submit=${this.confirm} novalidate>
            ${this.codeField('Code from the app', '6 digits')}
            <div class="actions">
              <button type="submit" ?disabled=${busy}>${busy ? 'Checking…' : 'Confirm and turn on'}</button>
              <button class="secondary" type="button" @click=${this.cancel}>Cancel</button>
            </div>
          </form>`;
      }
      case 'recovery-codes':
        return html`<p><strong>Two-factor sign-in is on.</strong> Save these recovery codes somewhere safe: each signs you in once if you lose your
            phone. They are shown only now.</p>
          <ul class="codes" data-recovery-codes>
            ${this.recoveryCodes.map((code) => html`<li>${code}</li>`)}
          </ul>
          <button type="button" @click=${this.savedRecoveryCodes}>I have saved them</button>`;
      case 'disable':
        return html`<form @submit=${this.disable} novalidate>
          <label>Password
            <input name="password" type="password" autocomplete="current-password" required aria-invalid=${errors.password ? 'true' : 'false'} aria-describedby="tfa-password-error" />
            <span id="tfa-password-error" class="field-error">${errors.password ?? ''}</span>
          </label>
          ${this.codeField('Code from the app, or a recovery code', '6 digits, or a code like ABCD-EFGH-JKLM-NPQR')}
          <div class="actions">
            <button type="submit" ?disabled=${busy}>${busy ? 'Turning off…' : 'Turn off two-factor sign-in'}</button>
            <button class="secondary" type="button" @click=${this.cancel}>Cancel</button>
          </div>
        </form>`;
      case 'status':
        if (!this.status) return html`<p class="muted" role="status">Loading…</p>`;
        return this.status.totpEnabled
          ? html`<p>Two-factor sign-in is <strong>on</strong>: signing in asks for a code from your authenticator app.</p>
              <button class="secondary" type="button" @click=${() => (this.step = 'disable')}>Turn off…</button>`
          : html`<p>Two-factor sign-in is <strong>off</strong>. With it on, signing in also asks for a code from an authenticator app on your phone.</p>
              <button type="button" ?disabled=${busy} @click=${this.startEnrolment}>Turn on two-factor sign-in</button>`;
    }
  }

  override render() {
    const { message } = this.form;
    return html`<section class="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      ${this.renderStep()} ${message ? html`<p class="form-error" role="alert">${message}</p>` : null}
    </section>`;
  }
}
customElements.define('two-factor-settings', TwoFactorSettings);
