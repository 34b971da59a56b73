import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task } from '@lit/task';
import { ChangePasswordRequestSchema, type SessionView } from '@bank/contracts/auth';
import { sessionContext } from '../../session/session-context';
import { LiveSubscriptions } from '../../live/live-subscriptions';
import { formatDateTime } from '../../format/money';
import { pageStyles, sharedStyles } from '../shared-styles';
import { FormState, problemMessage, schemaFieldErrors } from '../form-errors';
import { securityPageStyles } from './security-page.styles';
import '../two-factor-settings/two-factor-settings.component';

/** A readable name for a user agent: the browser and the system, or the agent itself when neither is known. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : null;
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Windows/.test(userAgent) ? 'Windows' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : null;
  return browser && system ? `${browser} on ${system}` : userAgent.slice(0, 80);
}

/**
 * The Security page, for every role: where the user is signed in (this device marked, live as
 * sessions end elsewhere) with sign out one / all others, the password change (checked with the api's own schema first), and the
 * two-factor settings.
 */
export class SecurityPage extends LitElement {
  static override properties = { notice: { state: true } };
  declare notice: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private readonly passwordForm = new FormState(this);
  private readonly sessionsAction = new FormState(this);
  private readonly sessions = new Task(this, {
    task: async () => (await this.session.value!.api.sessions()).items,
    args: () => [],
  });

  // A session ended from another device (or by a password change there) leaves this list at once.
  private readonly live = new LiveSubscriptions(
    this,
    (live) => [live.on('session.revoked', () => void this.sessions.run())],
    () => void this.sessions.run(),
  );

  static override styles = [sharedStyles, pageStyles, securityPageStyles];

  constructor() {
    super();
    this.notice = null;
  }

  private async signOutSession(session: SessionView): Promise<void> {
    const done = await this.sessionsAction.submit(async () => {
      await this.session.value!.api.revokeSession(session.id);
      return true;
    });
    if (!done) return;
    // Signing out this device from its own list is a sign-out.
    if (session.current) return void this.session.value!.signOut('You signed out this device.');
    this.notice = `Signed out ${deviceName(session.userAgent)}.`;
    void this.sessions.run();
  }

  private async signOutOthers(): Promise<void> {
    const done = await this.sessionsAction.submit(async () => {
      await this.session.value!.api.revokeOtherSessions();
      return true;
    });
    if (!done) return;
    this.notice = 'Signed out everywhere else.';
    void this.sessions.run();
  }

  private async changePassword(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const formElement = event.target as HTMLFormElement;
    const data = new FormData(formElement);
    const parsed = ChangePasswordRequestSchema.safeParse({ currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') });
    if (!parsed.success) return this.passwordForm.invalid(schemaFieldErrors(parsed.error));
    if (parsed.data.newPassword !== String(data.get('confirmPassword') ?? '')) return this.passwordForm.invalid({ confirmPassword: 'does not match the new password' });
    const done = await this.passwordForm.submit(
      async () => {
        await this.session.value!.api.changePassword(parsed.data);
        return true;
      },
      (error) => (error instanceof Error && 'code' in error && error.code === 'PASSWORD_INVALID' ? 'The current password is wrong.' : problemMessage(error)),
    );
    if (!done) return;
    formElement.reset();
    this.notice = 'Your password was changed. Your other sessions were signed out.';
    void this.sessions.run();
  }

  private passwordField(name: string, label: string, autocomplete: string) {
    const error = this.passwordForm.errors[name];
    return html`<label
      >${label}
      <input name=${name} type="password" autocomplete=${autocomplete} aria-invalid=${error ? 'true' : 'false'} aria-describedby="${name}-error" />
      <span id="${name}-error" class="field-error">${error ?? ''}</span>
    </label>`;
  }

  private renderSessions(items: SessionView[]) {
    const others = items.filter((item) => !item.current).length;
    return html`<table class="stacked" data-sessions>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last active</th>
            <th scope="col"><span class="visually-hidden">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (item) =>
              html`<tr data-session-id=${item.id} ?data-current=${item.current}>
                <td class="device" data-label="Device" title=${item.userAgent ?? ''}>
                  ${deviceName(item.userAgent)}${item.current ? html`<span class="this-device">this device</span>` : nothing}
                </td>
                <td data-label="Address" class="mono">${item.ip ?? '—'}</td>
                <td data-label="Signed in">${formatDateTime(item.createdAt)}</td>
                <td data-label="Last active">${formatDateTime(item.lastUsedAt)}</td>
                <td class="amount">
                  <button class="secondary" type="button" ?disabled=${this.sessionsAction.busy} @click=${() => this.signOutSession(item)}>Sign out</button>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <div class="actions">
        <button type="button" class="secondary" ?disabled=${others === 0 || this.sessionsAction.busy} @click=${this.signOutOthers}>Sign out all other sessions</button>
      </div>`;
  }

  override render() {
    return html`<h1>Security</h1>
      ${this.notice ? html`<p class="card" role="status">${this.notice}</p>` : nothing}
      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        ${this.sessions.render({
          pending: () => html`<p class="muted" role="status">Loading sessions…</p>`,
          complete: (items) => this.renderSessions(items),
          error: (error) => html`<p class="form-error" role="alert">${problemMessage(error)}</p>`,
        })}
        ${this.sessionsAction.message ? html`<p class="form-error" role="alert">${this.sessionsAction.message}</p>` : nothing}
      </section>
      <section class="card" aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <form @submit=${this.changePassword} novalidate>
          ${this.passwordField('currentPassword', 'Current password', 'current-password')}
          ${this.passwordField('newPassword', 'New password (at least 12 characters)', 'new-password')}
          ${this.passwordField('confirmPassword', 'New password again', 'new-password')}
          ${this.passwordForm.message ? html`<p class="form-error" role="alert">${this.passwordForm.message}</p>` : nothing}
          <div><button type="submit" ?disabled=${this.passwordForm.busy}>${this.passwordForm.busy ? 'Changing…' : 'Change password'}</button></div>
        </form>
      </section>
      <two-factor-settings></two-factor-settings>`;
  }
}
customElements.define('security-page', SecurityPage);
