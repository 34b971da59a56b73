import { LitElement, html } from 'lit';
import { ContextConsumer } from '@lit/context';
import { ReassignRequestSchema, type RequestView } from '@bank/contracts/requests';
import type { UserView } from '@bank/contracts/users';
import { sessionContext } from '../../session/session-context';
import { sharedStyles } from '../shared-styles';
import { problemMessage } from '../form-errors';

/**
 * An admin's reassignment of one waiting or claimed request to another employee (API.md "The
 * employee queue"): picked from the active employees the page gives it
 * (`GET /admin/users?role=employee&status=active`, the first page), checked as the api checks it. Fires `request-reassigned` (detail: the request as
 * answered) when done.
 */
export class RequestReassign extends LitElement {
  static override properties = { requestId: { attribute: 'request-id' }, employees: { attribute: false }, message: { state: true }, done: { state: true } };
  declare requestId: string;
  /** Who it can go to: the active employees, given by the page (null while it loads them). */
  declare employees: UserView[] | null;
  declare message: string | null;
  declare done: string | null;
  private readonly session = new ContextConsumer(this, { context: sessionContext });

  static override styles = [sharedStyles];

  constructor() {
    super();
    this.requestId = '';
    this.employees = null;
    this.message = null;
    this.done = null;
  }

  private async reassign(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.message = null;
    this.done = null;
    const parsed = ReassignRequestSchema.safeParse({ employeeId: String(new FormData(event.target as HTMLFormElement).get('employeeId') ?? '').trim() });
    if (!parsed.success) {
      this.message = 'Choose an employee.';
      return;
    }
    try {
      const request: RequestView = await this.session.value!.api.reassignRequest(this.requestId, parsed.data.employeeId);
      this.done = 'Reassigned.';
      this.dispatchEvent(new CustomEvent<RequestView>('request-reassigned', { detail: request, bubbles: true, composed: true }));
    } catch (error) {
      this.message = problemMessage(error);
    }
  }

  override render() {
    return html`<form class="inline" @submit=${(event: SubmitEvent) => void this.reassign(event)} novalidate>
      <label
        >Reassign to
        <select name="employeeId" ?disabled=${!this.employees?.length}>
          <option value="">${this.employees === null ? 'Loading…' : this.employees.length ? 'Choose an employee' : 'No active employees'}</option>
          ${(this.employees ?? []).map((employee) => html`<option value=${employee.id}>${employee.fullName} (${employee.email})</option>`)}
        </select></label
      >
      <button type="submit" class="secondary" ?disabled=${!this.employees?.length}>Reassign</button>
      ${this.message ? html`<span class="field-error" role="alert">${this.message}</span>` : null}
      ${this.done ? html`<span class="notice" role="status">${this.done}</span>` : null}
    </form>`;
  }
}
customElements.define('request-reassign', RequestReassign);
