import { LitElement, css, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { Role, UserStatus, UserView } from '@bank/contracts/users';
import { sessionContext } from '../../session/session-context';
import { formatDateTime } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';

const PAGE_SIZE = 20;
/** Typing pauses this long before the search goes out (one request per pause, not per key). */
const TYPING_PAUSE_MS = 250;

/** The hash route of one user's page in the admin console. */
export function userPageHref(userId: string): string {
  return `#/admin/users/${userId}`;
}

/**
 * Finds users on the server: a part of the email or name, or a whole account number, narrowed by
 * role and status; one page at a time (keyset paging), "More" for the next. Each result opens the
 * user's page, where locking and unlocking happen.
 */
export class AdminUserSearch extends LitElement {
  static override properties = {
    users: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    message: { state: true },
  };
  declare users: UserView[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare message: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });
  private filter: { q?: string; role?: Role; status?: UserStatus } = {};
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to an older search that arrive late are dropped. */
  private searchNumber = 0;

  static override styles = [
    sharedStyles,
    css`
      form label:first-child {
        flex: 1 1 14rem;
      }
      ul {
        list-style: none;
        margin: 0.75rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      li {
        border-bottom: 1px solid var(--bank-border);
        padding: 0.35rem 0;
        overflow-wrap: anywhere;
      }
      li a {
        font-weight: 600;
      }
    `,
  ];

  constructor() {
    super();
    this.users = [];
    this.nextCursor = null;
    this.loading = false;
    this.message = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.search();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.typingTimer);
  }

  /** Shows a user's new state in the results (a lock or unlock seen live). */
  updateUser(user: UserView): void {
    if (this.users.some((u) => u.id === user.id)) this.users = this.users.map((u) => (u.id === user.id ? user : u));
  }

  private readFilter(form: HTMLFormElement): void {
    const data = new FormData(form);
    const q = String(data.get('q') ?? '').trim();
    const role = String(data.get('role') ?? '');
    const status = String(data.get('status') ?? '');
    this.filter = { ...(q ? { q } : {}), ...(role ? { role: role as Role } : {}), ...(status ? { status: status as UserStatus } : {}) };
  }

  private readonly onInput = (event: Event) => {
    const form = (event.target as HTMLElement).closest('form')!;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.readFilter(form);
      void this.search();
    }, TYPING_PAUSE_MS);
  };

  private readonly onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    clearTimeout(this.typingTimer);
    this.readFilter(event.target as HTMLFormElement);
    void this.search();
  };

  private async search(cursor: string | null = null): Promise<void> {
    const number = ++this.searchNumber;
    this.loading = true;
    try {
      const page = await this.session.value!.api.users({ ...this.filter, limit: PAGE_SIZE, cursor });
      if (number !== this.searchNumber) return;
      this.users = cursor ? [...this.users, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      this.message = null;
    } catch (error) {
      if (number === this.searchNumber) this.message = problemMessage(error);
    } finally {
      if (number === this.searchNumber) this.loading = false;
    }
  }

  override render() {
    return html`<form class="inline" role="search" @submit=${this.onSubmit} @input=${this.onInput} @change=${this.onInput} novalidate>
        <label>Find a user <input name="q" type="search" maxlength="100" placeholder="Email, name or account number" autocomplete="off" /></label>
        <label
          >Role
          <select name="role">
            <option value="">Any</option>
            <option value="customer">Customer</option>
            <option value="employee">Employee</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label
          >Status
          <select name="status">
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="locked">Locked</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      ${this.message ? html`<p class="form-error" role="alert">${this.message}</p>` : null}
      <ul aria-label="Users found" aria-busy=${this.loading ? 'true' : 'false'}>
        ${this.users.map(
          (user) => html`<li data-user-id=${user.id} data-status=${user.status}>
            <a href=${userPageHref(user.id)}>${user.fullName}</a> <span class="muted">${user.email} · ${user.role}</span>
            ${user.status === 'locked' ? html`<strong class="negative">locked</strong>` : null}
            <span class="muted">· since ${formatDateTime(user.createdAt)}</span>
          </li>`,
        )}
      </ul>
      ${!this.loading && this.users.length === 0 && !this.message ? html`<p class="muted" data-no-users>No user matches.</p>` : null}
      ${this.nextCursor ? html`<button type="button" class="secondary" @click=${() => this.search(this.nextCursor)}>More users</button>` : null}`;
  }
}
customElements.define('admin-user-search', AdminUserSearch);
