import { RequestContext } from '@mikro-orm/postgresql';
import type { RequestView } from '@bank/contracts/requests';
import { bearer, TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { RequestsService } from './requests.service';

/**
 * API.md "Extensions": `POST /service-requests` and `POST /service-requests/:id/submit` honour
 * `Idempotency-Key` like the money POSTs — a client that timed out and retries files once.
 */
describe('Idempotency-Key on service requests (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let emma: TestStaff;
  beforeAll(async () => {
    t = await TestApp.start();
    [alice, bob, emma] = await Promise.all([t.newFundedCustomer(1_000), t.newCustomer(), t.newStaff('employee')]);
  });
  afterAll(() => t.close());

  const file = (who: TestCustomer, body: object, key?: string) => {
    const call = t.http().post('/api/v1/service-requests').set(bearer(who.accessToken));
    return (key ? call.set('Idempotency-Key', key) : call).send(body);
  };
  const requestsOf = async (who: TestCustomer) => (await t.sql<{ n: number }>('select count(*)::int as n from service_requests where owner_id = ?', [who.user.id]))[0].n;
  const kyc = (address: string) => ({ type: 'kyc_update', details: { address, phone: '+44 20 7946 0000' } });

  it('files once per key: the same request again answers the first, byte for byte, with Idempotent-Replayed', async () => {
    const before = await requestsOf(alice);
    const first = await file(alice, kyc('1 First Street, York'), 'file-once').expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await file(alice, kyc('1 First Street, York'), 'file-once').expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await requestsOf(alice)).toBe(before + 1);
    const reused = await file(alice, kyc('2 Other Street, York'), 'file-once').expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await requestsOf(alice)).toBe(before + 1);
  });

  it('files once for 10 concurrent calls with one key, all answered alike', async () => {
    const before = await requestsOf(alice);
    const answers = await Promise.all(Array.from({ length: 10 }, () => file(alice, kyc('3 Race Road, York'), 'file-race')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(await requestsOf(alice)).toBe(before + 1);
  });

  it('keeps no key for a refused request, and shares the key space with the money POSTs', async () => {
    const notHers = await file(alice, { type: 'account_freeze', accountId: bob.accountId }, 'file-refused').expect(404);
    expect(notHers.body.code).toBe('NOT_FOUND');
    await file(alice, { type: 'account_freeze', accountId: alice.accountId }, 'file-refused').expect(202);
    await t.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).set('Idempotency-Key', 'money-then-request').send({ amount: 1 }).expect(201);
    expect((await file(alice, kyc('4 Mixed Mews, York'), 'money-then-request').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys are per user: Bob's own key of the same name is his.
    await file(bob, kyc('5 Bob Row, York'), 'file-once').expect(202);
  });

  it('gives the customer’s input once per key: a retried submit answers the first and changes nothing again', async () => {
    const request = (await file(alice, { type: 'name_change' }).expect(202)).body as RequestView;
    await RequestContext.create(t.orm().em, () => t.app.get(RequestsService).triage(request.id));
    await t.http().post(`/api/v1/service-requests/${request.id}/claim`).set(bearer(emma.accessToken)).expect(200);
    await t.http().post(`/api/v1/service-requests/${request.id}/approve`).set(bearer(emma.accessToken)).send({}).expect(200);
    const submit = (fullName: string) =>
      t.http().post(`/api/v1/service-requests/${request.id}/submit`).set(bearer(alice.accessToken)).set('Idempotency-Key', 'name-input').send({ fullName });
    const first = await submit('Alice Renamed').expect(202);
    expect(first.body.status).toBe('approved');
    const again = await submit('Alice Renamed').expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    // The input is not part of the key's fingerprint (it is never stored): another name under the
    // same key is still the same submit, answered alike, and applies nothing.
    expect((await submit('Someone Else').expect(202)).body).toEqual(first.body);
    const [{ full_name: name }] = await t.sql<{ full_name: string }>('select full_name from users where id = ?', [alice.user.id]);
    expect(name).toBe('Alice Renamed');
    const history = await t.sql<{ to_status: string }>('select to_status from service_request_history where request_id = ? order by id', [request.id]);
    expect(history.map((h) => h.to_status)).toEqual(['submitted', 'pending_review', 'in_review', 'awaiting_customer', 'approved']);
  });
});
