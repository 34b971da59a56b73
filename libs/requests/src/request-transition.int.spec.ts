import { RequestContext } from '@mikro-orm/postgresql';
import type { RequestView } from '@bank/contracts/requests';
import { bearer, TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { RequestsService } from './requests.service';

/**
 * `request_transition` / `request_create` (one statement per status change) against the rest of
 * the api: the request they push as `request.updated` is the one REST reads back, their refusals
 * are the api's, and two moves racing for one request leave one winner and one history row.
 */
describe('request status changes in one statement (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let emma: TestStaff;
  let noah: TestStaff;
  beforeAll(async () => {
    t = await TestApp.start({ REQUEST_INPUT_WINDOW_S: '600' });
    [alice, bob, emma, noah] = await Promise.all([t.newFundedCustomer(1_000), t.newCustomer(), t.newStaff('employee'), t.newStaff('employee')]);
  });
  afterAll(() => t.close());

  const triage = (id: string) => RequestContext.create(t.orm().em, () => t.app.get(RequestsService).triage(id));
  const post = (who: { accessToken: string }, path: string, body?: object) => t.http().post(`/api/v1/service-requests${path}`).set(bearer(who.accessToken)).send(body);
  const read = async (id: string): Promise<RequestView> => {
    const { history: _history, ...request } = (await t.http().get(`/api/v1/service-requests/${id}`).set(bearer(alice.accessToken)).expect(200)).body as RequestView;
    return request;
  };
  const lastPushed = async (id: string, recipient: string): Promise<RequestView> => {
    const rows = await t.sql<{ payload: RequestView }>(`select payload from outbox_events where recipient = ? and type = 'request.updated' and payload->>'id' = ? order by id desc limit 1`, [recipient, id]);
    return rows[0].payload;
  };

  it('pushes to the owner and to the employees exactly the request REST reads back, after every kind of change', async () => {
    const created = (await post(alice, '', { type: 'card_pin_reset' }).expect(202)).body as RequestView;
    const steps: Array<() => Promise<unknown>> = [
      async () => undefined,
      () => triage(created.id),
      () => post(emma, `/${created.id}/claim`).expect(200),
      () => post(emma, `/${created.id}/approve`, { note: 'ok' }).expect(200), // awaiting_customer, with expiresAt
    ];
    for (const step of steps) {
      await step();
      const current = await read(created.id);
      expect(await lastPushed(created.id, `user:${alice.user.id}`)).toEqual(current);
      expect(await lastPushed(created.id, 'role:employee')).toEqual(current);
    }
    const final = await read(created.id);
    expect(final).toMatchObject({ status: 'awaiting_customer', assigneeId: emma.user.id, expiresAt: expect.any(String) });
    expect(created).toEqual({ ...final, status: 'submitted', assigneeId: null, expiresAt: null, updatedAt: created.updatedAt });
  });

  it('answers as the api always has: someone else’s request 404, a move from the wrong status 409, a decision by another employee 403', async () => {
    const request = (await post(alice, '', { type: 'kyc_update', details: { address: '1 Oak Lane, Bath', phone: '+44 1225 000000' } }).expect(202)).body as RequestView;
    expect((await post(bob, `/${request.id}/cancel`).expect(404)).body.code).toBe('NOT_FOUND');
    expect((await post(emma, `/${request.id}/claim`).expect(409)).body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', requestStatus: 'submitted' });
    await triage(request.id);
    await post(emma, `/${request.id}/claim`).expect(200);
    expect((await post(noah, `/${request.id}/reject`, { reason: 'no' }).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await post(noah, `/${request.id}/approve`, {}).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await post(alice, `/${request.id}/cancel`).expect(409)).body.requestStatus).toBe('in_review');
    expect((await post(emma, '/00000000-0000-4000-8000-00000000dead/claim').expect(404)).body.code).toBe('NOT_FOUND');
    expect((await post(alice, '', { type: 'account_freeze', accountId: bob.accountId }).expect(404)).body.code).toBe('NOT_FOUND');
    const rejected = (await post(emma, `/${request.id}/reject`, { reason: 'unreadable' }).expect(200)).body as RequestView;
    expect(rejected).toMatchObject({ status: 'rejected', resolution: 'unreadable' });
  });

  it('lets exactly one of 10 concurrent claims win, with one history row and one queue.changed for it', async () => {
    const request = (await post(alice, '', { type: 'account_freeze', accountId: alice.accountId }).expect(202)).body as RequestView;
    await triage(request.id);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 ? emma : noah, `/${request.id}/claim`)));
    expect(claims.filter((c) => c.status === 200)).toHaveLength(1);
    expect(claims.filter((c) => c.status === 409)).toHaveLength(9);
    const history = await t.sql<{ to_status: string }>('select to_status from service_request_history where request_id = ? order by id', [request.id]);
    expect(history.map((h) => h.to_status)).toEqual(['submitted', 'pending_review', 'in_review']);
    const queueEvents = await t.sql<{ status: string }>(`select payload->>'status' as status from outbox_events where type = 'queue.changed' and payload->>'requestId' = ? order by id`, [request.id]);
    expect(queueEvents.map((e) => e.status)).toEqual(['pending_review', 'in_review']);
  });
});
