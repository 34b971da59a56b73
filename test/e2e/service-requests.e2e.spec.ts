import type { RequestStatus, RequestView } from '@bank/contracts/requests';
import { bearer, type TestCustomer, type TestStaff } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, LiveClient } from '../support/live-client';

describe('service requests through the BullMQ pipeline (real worker process)', () => {
  let stack: LiveStack;
  let employee: TestStaff;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('requests');
    employee = await stack.app.newStaff('employee');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });
  const t = () => stack.app;
  const as = (who: { accessToken: string }) => bearer(who.accessToken);
  const submit = async (c: TestCustomer, body: object): Promise<RequestView> => (await t().http().post('/api/v1/service-requests').set(as(c)).send(body).expect(202)).body;
  const statusOf = async (id: string, who: { accessToken: string }) => ((await t().http().get(`/api/v1/service-requests/${id}`).set(as(who)).expect(200)).body as RequestView).status;
  const reach = async (id: string, status: RequestStatus, who: { accessToken: string }) => {
    let last: RequestStatus | undefined;
    await eventually(async () => (last = await statusOf(id, who)) === status, `request ${id} to reach ${status} (last: ${String(last)})`, 15_000);
  };
  const decide = async (id: string, owner: TestCustomer, approve = true) => {
    await reach(id, 'pending_review', owner);
    await t().http().post(`/api/v1/service-requests/${id}/claim`).set(as(employee)).expect(200);
    if (approve) await t().http().post(`/api/v1/service-requests/${id}/approve`).set(as(employee)).send({ note: 'looks right' }).expect(200);
  };

  it('limit_increase: submitted → triaged → claimed → approved → completed, the new limit enforced, every step pushed live', async () => {
    const alice = await t().newFundedCustomer(3_000_000);
    const bob = await t().newCustomer();
    const ownerSocket = await LiveClient.connect(t().url, { token: alice.accessToken });
    const staffSocket = await LiveClient.connect(t().url, { token: employee.accessToken });
    clients.push(ownerSocket, staffSocket);
    const transfer = () => t().http().post('/api/v1/transfers').set(as(alice)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 1_500_000 });
    expect((await transfer()).body.code).toBe('DAILY_LIMIT_EXCEEDED');

    const request = await submit(alice, { type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 2_000_000 } });
    expect(request).toMatchObject({ status: 'submitted', type: 'limit_increase', ownerId: alice.user.id, accountId: alice.accountId, details: { dailyLimit: 2_000_000 } });
    await decide(request.id, alice);
    await reach(request.id, 'completed', alice);
    await transfer().then((response) => expect(response.status).toBe(201));

    const statuses = (client: LiveClient) => client.ofType('request.updated').filter((e) => (e.data as unknown as RequestView).id === request.id).map((e) => (e.data as unknown as RequestView).status);
    await eventually(() => statuses(ownerSocket).at(-1) === 'completed', 'the owner to see completed live');
    expect(statuses(ownerSocket)).toEqual(['submitted', 'pending_review', 'in_review', 'approved', 'completed']);
    expect(statuses(staffSocket)).toEqual(['submitted', 'pending_review', 'in_review', 'approved', 'completed']);
    expect(staffSocket.ofType('queue.changed').map((e) => e.data)).toContainEqual(expect.objectContaining({ requestId: request.id, status: 'pending_review', queueSize: expect.any(Number) }));
    const detail = (await t().http().get(`/api/v1/service-requests/${request.id}`).set(as(employee)).expect(200)).body as RequestView;
    expect(detail.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);
    expect(detail.history![3]).toMatchObject({ actorId: employee.user.id, note: 'looks right' });
    expect(JSON.stringify(detail)).not.toMatch(/balance/);
  });

  it('account_freeze then account_unfreeze: the ledger refuses, then allows, a withdrawal', async () => {
    const c = await t().newFundedCustomer(10_000);
    const withdraw = () => t().http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(as(c)).send({ amount: 100, pin: '4321' });
    const freeze = await submit(c, { type: 'account_freeze', accountId: c.accountId });
    await decide(freeze.id, c);
    await reach(freeze.id, 'completed', c);
    expect((await withdraw()).body.code).toBe('ACCOUNT_FROZEN');
    const unfreeze = await submit(c, { type: 'account_unfreeze', accountId: c.accountId });
    await decide(unfreeze.id, c);
    await reach(unfreeze.id, 'completed', c);
    expect((await withdraw()).status).toBe(201);
  });

  it('account_closure: fails with a reason while money is in it; closes an empty account, which then refuses deposits', async () => {
    const c = await t().newFundedCustomer(500);
    const first = await submit(c, { type: 'account_closure', accountId: c.accountId });
    await reach(first.id, 'pending_review', c);
    expect(((await t().http().get(`/api/v1/service-requests/${first.id}`).set(as(employee))).body as RequestView).resolution).toMatch(/flagged/);
    await decide(first.id, c);
    await reach(first.id, 'failed', c);
    expect(((await t().http().get(`/api/v1/service-requests/${first.id}`).set(as(c))).body as RequestView).resolution).toMatch(/not zero/);

    await t().http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(as(c)).send({ amount: 500, pin: '4321' }).expect(201);
    const second = await submit(c, { type: 'account_closure', accountId: c.accountId });
    await decide(second.id, c);
    await reach(second.id, 'completed', c);
    const deposit = await t().http().post(`/api/v1/accounts/${c.accountId}/deposits`).set(as(c)).send({ amount: 100 }).expect(422);
    expect(deposit.body).toMatchObject({ code: 'ACCOUNT_FROZEN', accountStatus: 'closed' });
  });

  it('kyc_update replaces the address and phone on the profile', async () => {
    const c = await t().newCustomer();
    const request = await submit(c, { type: 'kyc_update', details: { address: '12 Harbour Road, Leith', phone: '+44 131 555 0100' } });
    await decide(request.id, c);
    await reach(request.id, 'completed', c);
    const [user] = await t().sql<{ address: string; phone: string }>('select address, phone from users where id = ?', [c.user.id]);
    expect(user).toEqual({ address: '12 Harbour Road, Leith', phone: '+44 131 555 0100' });
  });

  it('refuses every illegal move with 409 INVALID_STATE_TRANSITION and changes nothing; rejects and cancels', async () => {
    const c = await t().newCustomer();
    const other = await t().newCustomer();
    const request = await submit(c, { type: 'kyc_update', details: { address: '1 Long Lane, Bath', phone: '01225 000000' } });
    await reach(request.id, 'pending_review', c);
    const post = (path: string, who: { accessToken: string }, body: object = {}) => t().http().post(`/api/v1/service-requests/${request.id}/${path}`).set(as(who)).send(body);
    expect((await post('approve', employee).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    await post('cancel', other).expect(404);
    await post('claim', employee).expect(200);
    expect((await post('claim', employee).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    expect((await post('cancel', c).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    const secondEmployee = await t().newStaff('employee');
    expect((await post('approve', secondEmployee).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await post('reject', employee, {}).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const rejected = await post('reject', employee, { reason: 'the phone number does not match our records' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', resolution: 'the phone number does not match our records' });
    expect((await post('approve', employee).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    expect(await statusOf(request.id, c)).toBe('rejected');

    const toCancel = await submit(c, { type: 'kyc_update', details: { address: '2 Long Lane, Bath', phone: '01225 000001' } });
    const cancelled = await t().http().post(`/api/v1/service-requests/${toCancel.id}/cancel`).set(as(c)).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await t().http().post(`/api/v1/service-requests/${toCancel.id}/cancel`).set(as(c)).expect(409);
    await t().http().get(`/api/v1/service-requests/${toCancel.id}`).set(as(other)).expect(404);
  });

  it('20 employees racing to claim 10 requests: each request is claimed exactly once', async () => {
    const c = await t().newCustomer();
    const requests = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(c, { type: 'kyc_update', details: { address: `${i + 1} Race Street, York`, phone: `01904 00000${i}` } })));
    for (const request of requests) await reach(request.id, 'pending_review', c);
    const employees = await Promise.all(Array.from({ length: 20 }, () => t().newStaff('employee')));
    const attempts = await Promise.all(
      requests.flatMap((request) => employees.map(async (e) => ({ request: request.id, employee: e.user.id, status: (await t().http().post(`/api/v1/service-requests/${request.id}/claim`).set(as(e))).status }))),
    );
    for (const request of requests) {
      const won = attempts.filter((a) => a.request === request.id && a.status === 200);
      expect(won).toHaveLength(1);
      expect(attempts.filter((a) => a.request === request.id && a.status === 409)).toHaveLength(19);
      const detail = (await t().http().get(`/api/v1/service-requests/${request.id}`).set(as(employees[0]))).body as RequestView;
      expect(detail.assigneeId).toBe(won[0].employee);
      expect(detail.history!.filter((h) => h.to === 'in_review')).toHaveLength(1);
    }
  });

  it('validates details per type and keeps customers to their own accounts', async () => {
    const c = await t().newCustomer();
    const other = await t().newCustomer();
    const bad = await t().http().post('/api/v1/service-requests').set(as(c)).send({ type: 'limit_increase', accountId: c.accountId, details: { dailyLimit: -5 } }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'details.dailyLimit' })]);
    await t().http().post('/api/v1/service-requests').set(as(c)).send({ type: 'account_freeze', accountId: other.accountId }).expect(404);
    await t().http().post('/api/v1/service-requests').set(as(employee)).send({ type: 'kyc_update', details: { address: '1 Any Road', phone: '0123456' } }).expect(403);
    const [{ n }] = await t().sql<{ n: number }>('select count(*)::int as n from service_requests where owner_id = ?', [c.user.id]);
    expect(n).toBe(0);
  });
});
