import type { RequestStatus, RequestView } from '@bank/contracts/requests';
import { bearer, type TestCustomer, type TestStaff } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, LiveClient } from '../support/live-client';
import { RequestFlow } from '../support/request-flow';
import { RequestContext } from '@mikro-orm/postgresql';
import { RequestsService } from '@bank/requests/requests.service';

/** Short, so that the expiry test waits seconds, not the production 10 minutes. */
const INPUT_WINDOW_S = 5;

describe('service requests through the BullMQ pipeline (real worker process)', () => {
  let stack: LiveStack;
  let employee: TestStaff;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('requests', { REQUEST_INPUT_WINDOW_S: String(INPUT_WINDOW_S) });
    employee = await stack.app.newStaff('employee');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });
  const t = () => stack.app;
  const as = (who: { accessToken: string }) => bearer(who.accessToken);
  const flow = new RequestFlow(t, () => employee);
  const submit = (c: TestCustomer, body: object) => flow.submit(c, body);
  const statusOf = async (id: string, who: { accessToken: string }) => (await flow.get(id, who)).status;
  const reach = (id: string, status: RequestStatus, who: { accessToken: string }) => flow.reach(id, status, who);
  const decide = (id: string, owner: TestCustomer, approve = true) => flow.decide(id, owner, approve);

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
    // Within the new limit now: accepted, and held for review as any transfer of 5,000.00 or more is (API.md "Holds").
    await transfer().then((response) => expect(response.status).toBe(202));

    const statuses = (client: LiveClient) => client.ofType('request.updated').filter((e) => (e.data as unknown as RequestView).id === request.id).map((e) => (e.data as unknown as RequestView).status);
    await eventually(() => statuses(ownerSocket).at(-1) === 'completed', 'the owner to see completed live');
    expect(statuses(ownerSocket)).toEqual(['submitted', 'pending_review', 'in_review', 'approved', 'completed']);
    expect(statuses(staffSocket)).toEqual(['submitted', 'pending_review', 'in_review', 'approved', 'completed']);
    // The queue (pending_review) changed twice: the request entered it, then left it when claimed.
    const queueChanges = staffSocket.ofType('queue.changed').map((e) => e.data as unknown as { requestId: string; status: string; queueSize: number });
    expect(queueChanges.filter((change) => change.requestId === request.id).map((change) => change.status)).toEqual(['pending_review', 'in_review']);
    expect(queueChanges[0].queueSize).toEqual(expect.any(Number));
    const detail = (await t().http().get(`/api/v1/service-requests/${request.id}`).set(as(employee)).expect(200)).body as RequestView;
    expect(detail.history!.map((h) => `${h.from}→${h.to}`)).toEqual(['null→submitted', 'submitted→pending_review', 'pending_review→in_review', 'in_review→approved', 'approved→completed']);
    expect(detail.history![3]).toMatchObject({ actorId: employee.user.id, note: 'looks right' });
    expect(JSON.stringify(detail)).not.toMatch(/balance/);
    // Employees handle the request, never the account behind it.
    await t().http().get(`/api/v1/accounts/${alice.accountId}`).set(as(employee)).expect(403);
    await t().http().get(`/api/v1/accounts/${alice.accountId}/transactions`).set(as(employee)).expect(403);
    expect(JSON.stringify(staffSocket.ofType('request.updated'))).not.toMatch(/balance/);
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

  /** Every stored trace of a request: the row, its history, and its events in the outbox. */
  const tracesOf = async (id: string) =>
    JSON.stringify([
      await t().sql('select * from service_requests where id = ?', [id]),
      await t().sql('select * from service_request_history where request_id = ?', [id]),
      await t().sql(`select payload from outbox_events where payload->>'id' = ? or payload->>'requestId' = ?`, [id, id]),
    ]);

  it('card_pin_reset: a blocked card works again with the PIN the owner submits; the PIN is stored nowhere in the request', async () => {
    const c = await t().newFundedCustomer(10_000);
    const withdraw = (pin: string) => t().http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(as(c)).send({ amount: 100, pin });
    for (let i = 0; i < 3; i++) await withdraw('0000');
    expect((await withdraw('4321')).body.code).toBe('CARD_BLOCKED');
    const ownerSocket = await LiveClient.connect(t().url, { token: c.accessToken });
    clients.push(ownerSocket);

    const request = await submit(c, { type: 'card_pin_reset' });
    await reach(request.id, 'pending_review', c);
    await t().http().post(`/api/v1/service-requests/${request.id}/claim`).set(as(employee)).expect(200);
    const approved = (await t().http().post(`/api/v1/service-requests/${request.id}/approve`).set(as(employee)).send({}).expect(200)).body as RequestView;
    expect(approved.status).toBe('awaiting_customer');
    const windowLeft = Date.parse(approved.expiresAt!) - Date.now();
    expect(windowLeft).toBeGreaterThan((INPUT_WINDOW_S - 2) * 1000);
    expect(windowLeft).toBeLessThanOrEqual(INPUT_WINDOW_S * 1000);

    await t().http().post(`/api/v1/service-requests/${request.id}/approve`).set(as(employee)).send({}).expect(409);
    await t().http().post(`/api/v1/service-requests/${request.id}/cancel`).set(as(c)).expect(409);
    const post = (who: { accessToken: string }, body: object) => t().http().post(`/api/v1/service-requests/${request.id}/submit`).set(as(who)).send(body);
    await post(employee, { pin: '7391' }).expect(403);
    expect((await post(c, { pin: '12' }).expect(400)).body.errors).toEqual([expect.objectContaining({ path: 'pin' })]);
    expect((await post(c, { fullName: 'Someone Else' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const submitted = (await post(c, { pin: '7391' }).expect(202)).body as RequestView;
    expect(submitted.status).toBe('approved');
    await reach(request.id, 'completed', c);

    expect((await withdraw('4321')).body).toMatchObject({ code: 'PIN_INVALID' });
    expect((await withdraw('7391')).status).toBe(201);
    await eventually(() => ownerSocket.ofType('request.updated').some((e) => (e.data as unknown as RequestView).status === 'completed'), 'the owner to see completed live');
    const traces = await tracesOf(request.id);
    expect(traces).not.toContain('7391');
    expect(traces).not.toMatch(/"pin"/);
    expect(stack.workers.map((worker) => worker.output).join('\n')).not.toContain('7391');
    expect(((await t().http().get(`/api/v1/service-requests/${request.id}`).set(as(employee))).body as RequestView).details).toEqual({});
    await post(c, { pin: '7391' }).expect(409);
  });

  it('name_change: the owner submits the new name, counterparties see it; an expired window leaves everything as it was', async () => {
    const c = await t().newFundedCustomer(10_000);
    const payee = await t().newCustomer();
    const request = await submit(c, { type: 'name_change' });
    await decide(request.id, c);
    // Two submits at once (a double click, two tabs): exactly one is taken.
    const names = ['Morwenna Quillfeather', 'Tamsin Second-Tab'];
    const answers = await Promise.all(names.map((fullName) => t().http().post(`/api/v1/service-requests/${request.id}/submit`).set(as(c)).send({ fullName })));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const winner = names[answers.findIndex((a) => a.status === 202)];
    await reach(request.id, 'completed', c);
    expect((await t().http().get('/api/v1/me').set(as(c)).expect(200)).body.fullName).toBe(winner);
    await t().http().post('/api/v1/transfers').set(as(c)).send({ fromAccountId: c.accountId, toAccountNumber: payee.accountNumber, amount: 100 }).expect(201);
    const history = (await t().http().get(`/api/v1/accounts/${payee.accountId}/transactions`).set(as(payee)).expect(200)).body;
    expect(JSON.stringify(history.items[0])).toContain(winner);
    for (const name of names) expect(await tracesOf(request.id)).not.toContain(name);

    // The window passes without input: the delayed job expires the request; a late submit is 409.
    const late = await submit(c, { type: 'name_change' });
    await decide(late.id, c);
    await reach(late.id, 'expired', c);
    const refused = await t().http().post(`/api/v1/service-requests/${late.id}/submit`).set(as(c)).send({ fullName: 'Too Late' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', status: 409, requestStatus: 'expired' });
    expect((await t().http().get('/api/v1/me').set(as(c))).body.fullName).toBe(winner);
    const expired = (await t().http().get(`/api/v1/service-requests/${late.id}`).set(as(c))).body as RequestView;
    expect(expired.history!.at(-1)).toMatchObject({ from: 'awaiting_customer', to: 'expired', actorId: null });
  });

  it('card_pin_reset with an expired window leaves the card blocked', async () => {
    const c = await t().newFundedCustomer(10_000);
    const withdraw = (pin: string) => t().http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(as(c)).send({ amount: 100, pin });
    for (let i = 0; i < 3; i++) await withdraw('0000');
    const request = await submit(c, { type: 'card_pin_reset' });
    await decide(request.id, c);
    await reach(request.id, 'expired', c);
    expect((await t().http().post(`/api/v1/service-requests/${request.id}/submit`).set(as(c)).send({ pin: '5555' }).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    expect((await withdraw('4321')).body.code).toBe('CARD_BLOCKED');
    expect((await withdraw('5555')).body.code).toBe('CARD_BLOCKED');
  });

  it('a fulfilment run several times at once (the job and duplicates) completes the request once', async () => {
    const c = await t().newCustomer();
    const request = await submit(c, { type: 'kyc_update', details: { address: '9 Twice Street, Ely', phone: '01353 000009' } });
    await decide(request.id, c);
    const requests = t().app.get(RequestsService);
    const orm = t().orm();
    await Promise.all(Array.from({ length: 5 }, () => RequestContext.create(orm.em, () => requests.fulfil(request.id))));
    await reach(request.id, 'completed', c);
    expect((await flow.get(request.id, c)).history!.filter((h) => h.to === 'completed')).toHaveLength(1);
    const [{ n }] = await t().sql<{ n: number }>(`select count(*)::int as n from outbox_events where recipient like 'user:%' and payload->>'id' = ? and payload->>'status' = 'completed'`, [request.id]);
    expect(n).toBe(1);
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
