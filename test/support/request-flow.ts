import type { RequestStatus, RequestView } from '@bank/contracts/requests';
import { bearer, type TestApp, type TestCustomer, type TestStaff } from './test-app';
import { eventually } from './live-client';

type Caller = { accessToken: string };

/** The steps of a service request over HTTP, as the tests drive them. */
export class RequestFlow {
  constructor(
    private readonly app: () => TestApp,
    private readonly employee: () => TestStaff,
  ) {}

  async submit(customer: TestCustomer, body: object): Promise<RequestView> {
    return (await this.app().http().post('/api/v1/service-requests').set(bearer(customer.accessToken)).send(body).expect(202)).body as RequestView;
  }

  async get(id: string, who: Caller): Promise<RequestView> {
    return (await this.app().http().get(`/api/v1/service-requests/${id}`).set(bearer(who.accessToken)).expect(200)).body as RequestView;
  }

  async reach(id: string, status: RequestStatus, who: Caller, timeoutMs = 15_000): Promise<void> {
    let last: RequestStatus | undefined;
    try {
      await eventually(async () => (last = (await this.get(id, who)).status) === status, `request ${id} to reach ${status}`, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message} (it is ${String(last)})`);
    }
  }

  /** Waits for triage, then the employee claims and (unless told not to) approves. */
  async decide(id: string, owner: TestCustomer, approve = true): Promise<void> {
    await this.reach(id, 'pending_review', owner);
    await this.app().http().post(`/api/v1/service-requests/${id}/claim`).set(bearer(this.employee().accessToken)).expect(200);
    if (approve) await this.approve(id);
  }

  async approve(id: string): Promise<RequestView> {
    return (await this.app().http().post(`/api/v1/service-requests/${id}/approve`).set(bearer(this.employee().accessToken)).send({ note: 'looks right' }).expect(200)).body as RequestView;
  }
}
