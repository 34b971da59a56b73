import { LitElement, css, html } from 'lit';
import { ContextProvider } from '@lit/context';
import { Session } from '../../session/session';
import { liveContext, sessionContext } from '../../session/session-context';
import { LiveConnection } from '../../live/live-connection';
import type { Role } from '@bank/contracts/users';
import { sharedStyles } from '../shared-styles';
import '../theme-toggle/theme-toggle';
import '../connection-badge/connection-badge';
import '../notification-bell/notification-bell.component';
import '../sign-in/sign-in';
import '../register-form/register-form';
import '../customer-dashboard/customer-dashboard';
import '../statements-page/statements-page.component';
import '../employee-queue/employee-queue';
import '../admin-console/admin-console';
import '../security-page/security-page.component';
import '../payees-page/payees-page.component';
import '../two-factor-settings/two-factor-settings.component';
import '../scheduled-transfers-page/scheduled-transfers-page.component';
import type { MfaChangedEvent } from '../two-factor-settings/two-factor-settings.component';

/** What each role's app is called beside the brand: the tier it is (theme.css gives each its look). */
const TIER_NAMES: Record<Role, string | null> = { customer: null, employee: 'Workbench', admin: 'Console' };

/** Every role's own sessions, password and two-factor settings. */
const SECURITY_ROUTE = '#/security';

/** A customer's pages beside the home page (accounts, money forms, history). */
const CUSTOMER_PAGES = [
  { route: '#/', label: 'Accounts' },
  { route: '#/payees', label: 'Payees' },
  { route: '#/scheduled', label: 'Scheduled' },
  { route: '#/statements', label: 'Statements' },
] as const;

/** The page part of a hash route: `#/payees?x=1` → `#/payees`; empty → `#/`. A page keeps its own state (filters) in the query part. */
export function routePath(hash: string): string {
  const path = hash.split('?')[0];
  return path === '' || path === '#' ? '#/' : path;
}

/**
 * The app shell: provides the tab's session and its one live connection to every view, routes by
 * role after sign-in, and shows the connection state and the theme switch.
 */
export class BankApp extends LitElement {
  static override properties = { ready: { state: true }, route: { state: true }, mustEnrol: { state: true } };
  declare ready: boolean;
  declare route: string;
  /** Staff who must turn on two-factor sign-in before anything else (MFA_REQUIRED_FOR_STAFF): null while asking. */
  declare mustEnrol: boolean | null;
  private readonly session = new Session();
  private live: LiveConnection | undefined;
  private readonly sessionProvider = new ContextProvider(this, { context: sessionContext, initialValue: this.session });
  private readonly liveProvider = new ContextProvider(this, { context: liveContext, initialValue: undefined });

  static override styles = [
    sharedStyles,
    css`
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.75rem 1.25rem;
        padding: 0.75rem 1.25rem;
        background: var(--bank-header-bg);
        border-bottom: 1px solid var(--bank-header-rule);
        /* The header's own colours, down to the switch and the badge inside it. */
        --bank-text: var(--bank-header-text);
        --bank-muted: var(--bank-header-muted);
        --bank-accent: var(--bank-header-accent);
        --bank-accent-text: var(--bank-header-accent-text);
        color: var(--bank-text);
      }
      .brand {
        font-weight: 800;
        font-size: 1.15rem;
        margin-right: auto;
        color: var(--bank-text);
        text-decoration: none;
      }
      .tier {
        font-weight: 500;
        color: var(--bank-muted);
      }
      main {
        max-width: 72rem;
        margin: 0 auto;
        padding: var(--bank-gap);
      }
      :host([data-role='employee']) main {
        max-width: 90rem;
      }
      .who {
        color: var(--bank-muted);
      }
      .nav {
        color: var(--bank-text);
        font-weight: 600;
      }
      /* The customer's pages: a row of their own under the header's controls. */
      nav {
        order: 10;
        flex-basis: 100%;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.25rem;
      }
      .nav[aria-current='page'] {
        text-decoration-thickness: 2px;
      }
    `,
  ];

  constructor() {
    super();
    this.ready = false;
    this.route = routePath(location.hash);
    this.mustEnrol = false;
    this.session.addEventListener('change', () => void this.sessionChanged());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
    void this.session.resume().finally(() => (this.ready = true));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
    this.live?.stop();
  }

  private readonly onHash = () => (this.route = routePath(location.hash));

  /** Signed out: the next sign-in in this tab starts at home, not on the page the last user had open. */
  private readonly signOut = () => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    this.route = '#/';
    void this.session.signOut();
  };

  private async sessionChanged(): Promise<void> {
    // The signed-in role picks its look (theme.css); signed out is the customer's.
    const role = this.session.user?.role;
    if (role) document.documentElement.dataset.role = role;
    else delete document.documentElement.dataset.role;
    this.toggleAttribute('data-role', false);
    if (role) this.dataset.role = role;
    this.live?.stop();
    this.live = undefined;
    this.liveProvider.setValue(undefined);
    this.sessionProvider.setValue(this.session, true);
    // Staff may have to enrol first: until then the api answers them nothing else, live feed included.
    this.mustEnrol = role && role !== 'customer' ? null : false;
    this.requestUpdate();
    if (this.mustEnrol === null) {
      const user = this.session.user;
      const status = await this.session.api.mfaStatus().catch(() => null);
      if (this.session.user !== user) return; // signed out or someone else meanwhile
      this.mustEnrol = status?.enrolmentRequired ?? false;
    }
    if (this.session.user && !this.mustEnrol) this.startLive();
  }

  private startLive(): void {
    this.live = new LiveConnection(this.session);
    this.live.start();
    this.liveProvider.setValue(this.live);
    this.requestUpdate();
  }

  private readonly enrolled = (event: MfaChangedEvent) => {
    if (!event.detail.totpEnabled || !this.mustEnrol) return;
    this.mustEnrol = false;
    this.startLive();
  };

  private view() {
    const user = this.session.user;
    if (!user) return this.route === '#/register' ? html`<register-form></register-form>` : html`<sign-in></sign-in>`;
    if (this.mustEnrol === null) return html`<p class="muted" role="status">Loading…</p>`;
    if (this.mustEnrol) {
      return html`<section class="enrol" aria-labelledby="enrol-title">
        <h1 id="enrol-title">Turn on two-factor sign-in</h1>
        <p>Staff accounts sign in with a password and a code from an authenticator app. Turn it on to continue.</p>
        <two-factor-settings @mfa-changed=${this.enrolled}></two-factor-settings>
      </section>`;
    }
    if (this.route === SECURITY_ROUTE) return html`<security-page></security-page>`;
    switch (user.role) {
      case 'customer':
        return this.customerPage();
      case 'employee':
        return html`<employee-queue></employee-queue>`;
      case 'admin':
        return html`<admin-console></admin-console>`;
    }
  }

  private customerPage() {
    switch (this.route) {
      case '#/payees':
        return html`<payees-page></payees-page>`;
      case '#/scheduled':
        return html`<scheduled-transfers-page></scheduled-transfers-page>`;
      case '#/statements':
        return html`<statements-page></statements-page>`;
      default:
        return html`<customer-dashboard></customer-dashboard>`;
    }
  }

  override render() {
    const user = this.session.user;
    return html`<header>
        <a class="brand" href="#/">BankingCore${user && TIER_NAMES[user.role] ? html` <span class="tier">${TIER_NAMES[user.role]}</span>` : null}</a>
        ${user && this.live ? html`<connection-badge .connection=${this.live}></connection-badge><notification-bell></notification-bell>` : null}
        <theme-toggle></theme-toggle>
        ${user?.role === 'customer'
          ? html`<nav aria-label="Your banking">
              ${CUSTOMER_PAGES.map(
                (page) => html`<a class="nav" href=${page.route} aria-current=${this.route === page.route ? 'page' : 'false'}>${page.label}</a>`,
              )}
            </nav>`
          : null}
        ${user
          ? html`<a class="nav" href=${SECURITY_ROUTE} aria-current=${this.route === SECURITY_ROUTE ? 'page' : 'false'}>Security</a>
              <span class="who">${user.fullName} · ${user.role}</span>
              <button class="secondary" type="button" @click=${this.signOut}>Sign out</button>`
          : null}
      </header>
      <main>${this.ready ? this.view() : html`<p class="muted" role="status">Loading…</p>`}</main>`;
  }
}
customElements.define('bank-app', BankApp);
