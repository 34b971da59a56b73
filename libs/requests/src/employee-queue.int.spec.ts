import { RequestContext } from '@mikro-orm/postgresql';
import type { AccountView } from '@bank/contracts/accounts';
import type { RequestHistoryEntry, RequestView } from '@bank/contracts/requests';
import { bearer, type TestApp, type TestCustomer, type TestStaff } from '../../../test/support/test-app';
import { RequestFlow } from '../../../test/support/request-flow';
import { OwnPlatform } from '../../../test/support/own-platform';
import { eventually } from '../../../test/support/live-client';
import { RequestsService } from './requests.service';

const HOUR_MS = 3_600_000;
/** The api's CLAIM_TIMEOUT_S here (the worker keeps the default, so only this file's own sweeps return claims). */
const CLAIM_TIMEOUT_S = 2;

/**
 * The employee queue that never strands work (issue 18, API.md "The employee queue"): release,
 * an admin's reassignment, stale claims returned by the sweep, `dueAt`, the list's filters and
 * maker-checker. A database and Redis prefix of this file's own, with the worker (triage,
 * fulfilment) running in this process.
 */
describe('the employee queue (HTTP, real PostgreSQL, Redis, in-process worker)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  let emma: TestStaff;
  let noah: TestStaff;
  let olivia: TestStaff;
  let admin: TestStaff;
  let alice: TestCustomer;
  let bob: TestCustomer;

  beforeAll(async () => {
    // Transfers of this file post at once unless they reach REVIEW_AMOUNT (the default 500000).
    platform = await OwnPlatform.start('queue', { CLAIM_TIMEOUT_S: String(CLAIM_TIMEOUT_S), REVIEW_NEW_PAYEE_AMOUNT: 'off' }, { CLAIM_TIMEOUT_S: '1800' });
    ({ app: t, employee: emma } = platform);
    [noah, olivia, admin, alice, bob] = await Promise.all([t.newStaff('employee'), t.newStaff('employee'), t.admin(), t.newFundedCustomer(2_000_000), t.newFundedCustomer(10_000)]);
  });
  afterAll(() => platform?.close());

  const flow = new RequestFlow(
    () => t,
    () => emma,
  );
  const post = (who: { accessToken: string }, path: string, body?: object) => t.http().post(`/api/v1/service-requests${path}`).set(bearer(who.accessToken)).send(body);
  const list = (who: { accessToken: string }, query: string) => t.http().get(`/api/v1/service-requests?${query}`).set(bearer(who.accessToken));
  const history = async (id: string): Promise<RequestHistoryEntry[]> => (await flow.get(id, admin)).history!;
  const kycUpdate = () => ({ type: 'kyc_update', details: { address: '1 Queue Street, Leeds', phone: '+44 113 000000' } });
  /** A request of alice's waiting in the queue (the worker triages it). */
  const waiting = async (body: object = kycUpdate()): Promise<RequestView> => {
    const request = await flow.submit(alice, body);
    await flow.reach(request.id, 'pending_review', alice);
    return request;
  };
  const claimed = async (by: TestStaff, body?: object): Promise<RequestView> => {
    const request = await waiting(body);
    await post(by, `/${request.id}/claim`).expect(200);
    return request;
  };
  const sweep = () => RequestContext.create(t.orm().em, () => t.app.get(RequestsService).sweep());

  describe('release', () => {
    it('hands the claim back to the queue, unassigned, with the note in the history; nobody else may', async () => {
      const request = await claimed(emma);
      expect((await post(noah, `/${request.id}/release`, {}).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await post(alice, `/${request.id}/release`, {}).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await post(admin, `/${request.id}/release`, {}).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await post(emma, `/${request.id}/release`, { note: 'x'.repeat(501) }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await post(emma, `/${request.id}/release`, { note: 'ok', extra: 1 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await flow.get(request.id, admin)).assigneeId).toBe(emma.user.id);

      const released = (await post(emma, `/${request.id}/release`, { note: 'going on a break' }).expect(200)).body as RequestView;
      expect(released).toMatchObject({ status: 'pending_review', assigneeId: null });
      expect((await history(request.id)).at(-1)).toMatchObject({ from: 'in_review', to: 'pending_review', actorId: emma.user.id, note: 'going on a break' });
      const queueChanged = await t.sql<{ status: string }>(`select payload->>'status' as status from outbox_events where type = 'queue.changed' and payload->>'requestId' = ? order by id`, [request.id]);
      expect(queueChanged.map((event) => event.status)).toEqual(['pending_review', 'in_review', 'pending_review']);

      // Released: nothing to release again; anyone may claim it now.
      expect((await post(emma, `/${request.id}/release`).expect(409)).body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', requestStatus: 'pending_review' });
      await post(noah, `/${request.id}/claim`).expect(200);
      expect((await post(noah, `/${request.id}/release`).expect(200)).body).toMatchObject({ status: 'pending_review', assigneeId: null });
      expect((await history(request.id)).at(-1)).toMatchObject({ actorId: noah.user.id, note: 'released' });
      expect((await post(emma, '/00000000-0000-4000-8000-00000000dead/release').expect(404)).body.code).toBe('NOT_FOUND');
    });
  });

  describe('reassign', () => {
    it('gives a claimed or waiting request to another active employee, who alone decides it from then on', async () => {
      const request = await claimed(emma);
      expect((await post(emma, `/${request.id}/reassign`, { employeeId: noah.user.id }).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await post(alice, `/${request.id}/reassign`, { employeeId: noah.user.id }).expect(403)).body.code).toBe('FORBIDDEN');

      const reassigned = (await post(admin, `/${request.id}/reassign`, { employeeId: noah.user.id }).expect(200)).body as RequestView;
      expect(reassigned).toMatchObject({ status: 'in_review', assigneeId: noah.user.id });
      expect((await history(request.id)).at(-1)).toMatchObject({ from: 'in_review', to: 'in_review', actorId: admin.user.id, note: `reassigned to ${noah.user.id}` });
      expect((await post(emma, `/${request.id}/approve`, {}).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await post(emma, `/${request.id}/release`).expect(403)).body.code).toBe('FORBIDDEN');
      await post(noah, `/${request.id}/approve`, { note: 'fine' }).expect(200);
      await flow.reach(request.id, 'completed', alice);
      expect((await post(admin, `/${request.id}/reassign`, { employeeId: emma.user.id }).expect(409)).body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', requestStatus: 'completed' });

      const unclaimed = await waiting();
      expect((await post(admin, `/${unclaimed.id}/reassign`, { employeeId: emma.user.id }).expect(200)).body).toMatchObject({ status: 'in_review', assigneeId: emma.user.id });
      expect((await history(unclaimed.id)).at(-1)).toMatchObject({ from: 'pending_review', to: 'in_review', actorId: admin.user.id });
    });

    it('refuses anyone but an active employee, an unknown request and a bad body, and changes nothing', async () => {
      const request = await claimed(emma);
      const locked = await t.newStaff('employee');
      await t.http().post(`/api/v1/admin/users/${locked.user.id}/lock`).set(bearer(admin.accessToken)).send({ reason: 'left the bank' }).expect(200);
      const refusals = [
        [{ employeeId: alice.user.id }, 422, 'ASSIGNEE_NOT_ELIGIBLE', 'not_employee'],
        [{ employeeId: admin.user.id }, 422, 'ASSIGNEE_NOT_ELIGIBLE', 'not_employee'],
        [{ employeeId: locked.user.id }, 422, 'ASSIGNEE_NOT_ELIGIBLE', 'locked'],
        [{ employeeId: '00000000-0000-4000-8000-00000000beef' }, 404, 'NOT_FOUND', undefined],
        [{ employeeId: 'emma' }, 400, 'VALIDATION_FAILED', undefined],
        [{}, 400, 'VALIDATION_FAILED', undefined],
        [{ employeeId: noah.user.id, note: 'x' }, 400, 'VALIDATION_FAILED', undefined],
      ] as const;
      for (const [body, status, code, reason] of refusals) {
        const response = await post(admin, `/${request.id}/reassign`, body);
        expect({ status: response.status, code: response.body.code, reason: response.body.reason }).toEqual({ status, code, reason });
      }
      expect((await post(admin, '/00000000-0000-4000-8000-00000000dead/reassign', { employeeId: noah.user.id }).expect(404)).body.code).toBe('NOT_FOUND');
      expect(await flow.get(request.id, admin)).toMatchObject({ status: 'in_review', assigneeId: emma.user.id });
      expect((await history(request.id)).map((entry) => entry.to)).toEqual(['submitted', 'pending_review', 'in_review']);
    });
  });

  describe('stale claims', () => {
    it(`returns a claim nobody touched for CLAIM_TIMEOUT_S (${CLAIM_TIMEOUT_S} s here) to the queue, with the history note "claim expired"`, async () => {
      const stale = await claimed(emma);
      // Touched just now: neither the sweep nor a direct attempt returns it (checked again under the row lock).
      await sweep();
      expect(await RequestContext.create(t.orm().em, () => t.app.get(RequestsService).expireClaim(stale.id))).toBe(false);
      expect((await flow.get(stale.id, admin)).status).toBe('in_review');

      await eventually(async () => (await sweep(), (await flow.get(stale.id, admin)).status === 'pending_review'), 'the sweep to return the stale claim', 15_000);
      const returned = await flow.get(stale.id, admin);
      expect(returned).toMatchObject({ status: 'pending_review', assigneeId: null });
      expect(returned.history!.at(-1)).toMatchObject({ from: 'in_review', to: 'pending_review', actorId: null, note: 'claim expired' });
      expect(returned.history!.filter((entry) => entry.note === 'claim expired')).toHaveLength(1);
      // Back in the queue: anyone may claim it.
      await post(noah, `/${stale.id}/claim`).expect(200);
    });
  });

  describe('dueAt and the list filters', () => {
    it('gives every request dueAt = createdAt + its service level (a transfer review 1 h, others 24 h), in REST and in the events alike', async () => {
      const kyc = await flow.submit(alice, kycUpdate());
      expect(Date.parse(kyc.dueAt) - Date.parse(kyc.createdAt)).toBe(24 * HOUR_MS);
      const held = await t.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 500_000 }).expect(202);
      const review = await flow.get(held.body.hold.requestId as string, alice);
      expect(review.type).toBe('transfer_review');
      expect(Date.parse(review.dueAt) - Date.parse(review.createdAt)).toBe(HOUR_MS);
      for (const request of [kyc, review]) {
        const [pushed] = await t.sql<{ payload: RequestView }>(`select payload from outbox_events where type = 'request.updated' and recipient = 'role:employee' and payload->>'id' = ? order by id desc limit 1`, [request.id]);
        const { history: _history, ...current } = await flow.get(request.id, alice);
        expect(pushed.payload).toEqual(current);
      }
    });

    it('filters by type and by assignee (mine, nobody’s), and refuses values it does not know', async () => {
      const mine = await claimed(olivia, { type: 'account_freeze', accountId: alice.accountId });
      const unassigned = await waiting({ type: 'account_freeze', accountId: alice.accountId });
      const all = async (who: { accessToken: string }, query: string) => ((await list(who, `${query}&limit=100`).expect(200)).body.items as RequestView[]).map((request) => request.id);

      const freezes = (await list(olivia, 'type=account_freeze&limit=100').expect(200)).body.items as RequestView[];
      expect(freezes.every((request) => request.type === 'account_freeze')).toBe(true);
      expect(freezes.map((request) => request.id)).toEqual(expect.arrayContaining([mine.id, unassigned.id]));

      const oliviasOwn = (await list(olivia, 'assignee=me&limit=100').expect(200)).body.items as RequestView[];
      expect(oliviasOwn.map((request) => request.id)).toEqual([mine.id]);
      expect(await all(emma, 'assignee=me&type=account_freeze')).toEqual([]);
      const nobodys = (await list(emma, 'assignee=none&status=pending_review&limit=100').expect(200)).body.items as RequestView[];
      expect(nobodys.every((request) => request.assigneeId === null && request.status === 'pending_review')).toBe(true);
      expect(nobodys.map((request) => request.id)).toContain(unassigned.id);
      expect(nobodys.map((request) => request.id)).not.toContain(mine.id);
      // A customer's list is filtered the same way, within their own requests.
      expect(await all(bob, 'type=account_freeze')).toEqual([]);

      for (const query of ['type=bogus', 'type=', 'assignee=you', 'assignee=ME', 'assignee=me&assignee=none', 'type=kyc_update&colour=red']) {
        const response = await list(emma, query);
        expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      }
    });
  });

  describe('maker-checker', () => {
    const accountOf = async (customer: TestCustomer): Promise<AccountView> => (await t.http().get(`/api/v1/accounts/${customer.accountId}`).set(bearer(customer.accessToken)).expect(200)).body as AccountView;

    it('a large limit increase approved by one employee waits for a different one, whose approval completes it once', async () => {
      const before = (await accountOf(alice)).dailyLimit;
      const request = await claimed(emma, { type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 5_000_001 } });
      const first = (await post(emma, `/${request.id}/approve`, { note: 'checked the income' }).expect(200)).body as RequestView;
      expect(first).toMatchObject({ status: 'awaiting_second_approval', assigneeId: emma.user.id });
      expect((await post(emma, `/${request.id}/approve`, {}).expect(409)).body.code).toBe('SECOND_APPROVER_REQUIRED');
      expect((await post(emma, `/${request.id}/reject`, { reason: 'changed my mind' }).expect(409)).body.code).toBe('SECOND_APPROVER_REQUIRED');
      expect((await post(alice, `/${request.id}/cancel`).expect(409)).body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', requestStatus: 'awaiting_second_approval' });
      expect((await post(admin, `/${request.id}/reassign`, { employeeId: noah.user.id }).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
      expect((await accountOf(alice)).dailyLimit).toBe(before);

      const second = (await post(noah, `/${request.id}/approve`, { note: 'agreed' }).expect(200)).body as RequestView;
      expect(second).toMatchObject({ status: 'approved', assigneeId: noah.user.id });
      await flow.reach(request.id, 'completed', alice);
      expect((await accountOf(alice)).dailyLimit).toBe(5_000_001);
      const steps = (await history(request.id)).map(({ from, to, actorId, note }) => ({ from, to, actorId, note }));
      expect(steps.slice(2)).toEqual([
        { from: 'pending_review', to: 'in_review', actorId: emma.user.id, note: null },
        { from: 'in_review', to: 'awaiting_second_approval', actorId: emma.user.id, note: 'checked the income' },
        { from: 'awaiting_second_approval', to: 'approved', actorId: noah.user.id, note: 'agreed' },
        { from: 'approved', to: 'completed', actorId: null, note: null },
      ]);
      expect((await post(olivia, `/${request.id}/approve`, {}).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    });

    it('a limit increase at the threshold needs one approval; a second employee may reject one above it', async () => {
      const atThreshold = await claimed(emma, { type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 5_000_000 } });
      expect((await post(emma, `/${atThreshold.id}/approve`, {}).expect(200)).body.status).toBe('approved');
      await flow.reach(atThreshold.id, 'completed', alice);

      const above = await claimed(emma, { type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 9_000_000 } });
      await post(emma, `/${above.id}/approve`, {}).expect(200);
      const rejected = (await post(noah, `/${above.id}/reject`, { reason: 'income does not support it' }).expect(200)).body as RequestView;
      expect(rejected).toMatchObject({ status: 'rejected', resolution: 'income does not support it', assigneeId: noah.user.id });
      expect((await accountOf(alice)).dailyLimit).toBe(5_000_000);
    });

    it('a large dispute: of concurrent second approvals exactly one wins, and the transfer is reversed once', async () => {
      const amount = 150_000;
      const sent = await t.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount }).expect(201);
      const transactionId = sent.body.transaction.id as string;
      const [aliceBefore, bobBefore] = [await t.balanceOf(alice.accountId), await t.balanceOf(bob.accountId)];
      const dispute = (await t.http().post(`/api/v1/transactions/${transactionId}/disputes`).set(bearer(alice.accessToken)).send({ reason: 'never arrived' }).expect(202)).body as RequestView;
      await post(emma, `/${dispute.id}/claim`).expect(200);
      expect((await post(emma, `/${dispute.id}/approve`, {}).expect(200)).body.status).toBe('awaiting_second_approval');
      // Still open: the same transfer cannot be disputed twice meanwhile.
      expect((await t.http().post(`/api/v1/transactions/${transactionId}/disputes`).set(bearer(alice.accessToken)).send({ reason: 'again' }).expect(409)).body.code).toBe('CONFLICT');

      const checkers = [noah, olivia, noah, olivia, emma];
      const answers = await Promise.all(checkers.map((who) => post(who, `/${dispute.id}/approve`, {})));
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      expect(answers.filter((answer) => answer.status === 409)).toHaveLength(4);
      // The first approver is refused as such, or — once another approval has won — as too late.
      expect(['SECOND_APPROVER_REQUIRED', 'INVALID_STATE_TRANSITION']).toContain(answers[4].body.code);
      await flow.reach(dispute.id, 'completed', alice);
      const reversals = await t.sql<{ amount: string; initiated_by: string }>('select amount, initiated_by from ledger_transactions where reverses_transaction_id = ?', [transactionId]);
      expect(reversals).toHaveLength(1);
      expect(reversals[0].initiated_by).toBe(answers.find((answer) => answer.status === 200)!.body.assigneeId);
      expect([await t.balanceOf(alice.accountId), await t.balanceOf(bob.accountId)]).toEqual([aliceBefore + amount, bobBefore - amount]);
      const approvals = (await history(dispute.id)).filter((entry) => entry.to === 'awaiting_second_approval' || entry.to === 'approved');
      expect(approvals.map((entry) => entry.actorId)).toEqual([emma.user.id, reversals[0].initiated_by]);
    });
  });
});
