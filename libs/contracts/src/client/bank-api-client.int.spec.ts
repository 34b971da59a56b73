import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { RequestContext } from '@mikro-orm/postgresql';
import { RequestsService } from '@bank/requests/requests.service';
import { OutboxRelayService } from '@bank/outbox/outbox-relay.service';
import { OutboxRelayRepository } from '@bank/outbox/outbox-relay.repository';
import { OPEN_REQUEST_STATUSES, type RequestView } from '@bank/contracts/requests';
import { TestApp, TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../../../../test/support/test-app';
import { eventually } from '../../../../test/support/live-client';
import { BankApiClient } from './bank-api-client';
import { ApiProblem } from './api-problem';
import type { TokenResponse } from '../auth';
import { isMfaChallenge, type LoginResponse } from '../mfa';

/** What went over the wire, for the few assertions the typed answers cannot show (headers, cookies). */
interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  status: number;
  responseHeaders: Headers;
}

/**
 * The typed client the browser app uses, driven against the real api over HTTP (in-process, real
 * PostgreSQL and Redis): every method answers what API.md promises, and every refusal arrives as an
 * ApiProblem carrying the problem document.
 */

/** The tokens of a sign-in of a user without two-factor sign-in (with it, the answer is a challenge). */
function tokensOf(answer: LoginResponse): TokenResponse {
  if (isMfaChallenge(answer)) throw new Error('expected tokens, got the two-factor challenge');
  return answer;
}

describe('BankApiClient against the real api (API.md over HTTP)', () => {
  let t: TestApp;
  const exchanges: Exchange[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    exchanges.push({
      method: init?.method ?? 'GET',
      url: String(input),
      requestHeaders: { ...(init?.headers as Record<string, string>) },
      status: response.status,
      responseHeaders: response.headers,
    });
    return response;
  };
  const lastExchange = () => exchanges[exchanges.length - 1];

  // A database of its own: the admin tests read "the newest security events", which other suites write too.
  beforeAll(async () => {
    t = await TestApp.startOnOwnDatabase('client');
  });
  afterAll(() => t?.close());

  /** A client signed in with `token`; `null` for an anonymous one. */
  const as = (token: string | null) => new BankApiClient({ baseUrl: t.url, accessToken: () => token, fetch: recordingFetch });
  const client = (who: { accessToken: string }) => as(who.accessToken);
  const admin = async () => as((await t.admin()).accessToken);

  /** The refusal a call ends in, for assertions on it; fails if the call succeeds or throws anything else. */
  async function refusal(call: Promise<unknown>): Promise<ApiProblem> {
    const outcome = await call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`expected an ApiProblem, got ${JSON.stringify(outcome.value)}`);
    expect(outcome.error).toBeInstanceOf(ApiProblem);
    return outcome.error as ApiProblem;
  }

  /**
   * TestApp runs the api only: the BullMQ processors live in the worker process. The triage step
   * is therefore run here, through the same service call the TriageProcessor makes.
   */
  const triage = (id: string) => RequestContext.create(t.orm().em, () => t.app.get(RequestsService).triage(id));

  describe('auth', () => {
    it('register → login → me → refresh rotates the pair (the old token reused is TOKEN_REUSED) → logout ends the session', async () => {
      const anonymous = as(null);
      const email = uniqueEmail('client');
      const registered = await anonymous.register({ email, password: TEST_PASSWORD, fullName: 'Cli Ent', pin: TEST_PIN, initialDeposit: 5_000 });
      expect(registered.user).toMatchObject({ email, fullName: 'Cli Ent', role: 'customer', status: 'active' });
      expect(registered.account).toMatchObject({ type: 'checking', currency: 'USD', balance: 5_000, status: 'active' });
      expect((await refusal(anonymous.register({ email, password: TEST_PASSWORD, fullName: 'Again', pin: TEST_PIN }))).code).toBe('CONFLICT');

      // The client reads the token on every call, so one instance follows the session as it changes.
      let token: string | null = 'stale-token';
      const session = new BankApiClient({ baseUrl: t.url, accessToken: () => token, fetch: recordingFetch });
      const tokens = tokensOf(await session.login(email, TEST_PASSWORD));
      expect(lastExchange().requestHeaders.authorization).toBeUndefined();
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number), user: { id: registered.user.id, email } });
      token = tokens.accessToken;
      expect(await session.me()).toEqual(registered.user);
      expect(lastExchange().requestHeaders.authorization).toBe(`Bearer ${tokens.accessToken}`);

      const rotated = await session.refresh(tokens.refreshToken);
      expect(lastExchange().requestHeaders.authorization).toBeUndefined();
      expect(rotated.user.id).toBe(registered.user.id);
      expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
      token = rotated.accessToken;
      expect((await session.me()).id).toBe(registered.user.id);
      const reused = await refusal(session.refresh(tokens.refreshToken));
      expect(reused).toMatchObject({ status: 401, code: 'TOKEN_REUSED' });
      // Reuse revoked the whole family, the newest token too.
      expect((await refusal(session.refresh(rotated.refreshToken))).code).toBe('TOKEN_INVALID');

      const again = tokensOf(await session.login(email, TEST_PASSWORD));
      token = again.accessToken;
      await expect(session.logout(again.refreshToken)).resolves.toBeUndefined();
      expect(lastExchange()).toMatchObject({ method: 'POST', status: 204 });
      expect((await refusal(session.refresh(again.refreshToken))).code).toBe('TOKEN_INVALID');
    });

    it('refresh() and logout() without a token rely on the browser cookie: Node has none, so refresh is 400 on refreshToken and logout only clears', async () => {
      const customer = await t.newCustomer();
      const missing = await refusal(as(null).refresh());
      expect(missing).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(missing.fieldError('refreshToken')).toEqual(expect.any(String));
      await expect(client(customer).logout()).resolves.toBeUndefined();
      // Nothing was revoked: the refresh token still works.
      expect((await as(null).refresh(customer.refreshToken)).user.id).toBe(customer.user.id);
    });
  });

  describe('refusals are ApiProblems carrying the problem document', () => {
    it('401 wrong password and missing token, 400 with field errors, 404: status, code, detail and errors from the document', async () => {
      const customer = await t.newCustomer();
      const wrongPassword = await refusal(as(null).login(customer.email, 'not-the-password'));
      expect(wrongPassword).toBeInstanceOf(Error);
      expect(wrongPassword).toMatchObject({ name: 'ApiProblem', status: 401, code: 'INVALID_CREDENTIALS', errors: [], retryAfterS: null });
      expect(wrongPassword.document).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', type: expect.stringMatching(/^urn:bankingcore:problem:/), title: expect.any(String) });
      expect(wrongPassword.message).toBe(wrongPassword.document.detail);
      expect(lastExchange().responseHeaders.get('content-type')).toMatch(/^application\/problem\+json/);

      expect(await refusal(as(null).me())).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
      expect(await refusal(as('not-a-jwt').accounts())).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });

      const invalid = await refusal(as(null).register({ email: 'not-an-email', password: 'short', fullName: 'X', pin: '12' }));
      expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(invalid.errors.map((e) => e.path).sort()).toEqual(['email', 'password', 'pin']);
      expect(invalid.fieldError('password')).toMatch(/12/);
      expect(invalid.fieldError('pin')).toMatch(/4 digits/);
      expect(invalid.fieldError('fullName')).toBeUndefined();

      const notFound = await refusal(client(customer).account(randomUUID()));
      expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(notFound.message).toBe(notFound.document.detail);
    });

    it('a 429 carries its Retry-After as retryAfterS (wrong admin keys suspend that admin’s unlocking)', async () => {
      const root = await admin();
      const email = uniqueEmail('guesser');
      await root.createStaff({ email, password: TEST_PASSWORD, fullName: 'Key Guesser', role: 'admin' }, t.config.adminKey);
      const guesserToken = tokensOf(await as(null).login(email, TEST_PASSWORD)).accessToken;
      // From an address of its own (the api trusts X-Forwarded-For from loopback): wrong keys also suspend their address.
      const fromElsewhere: typeof fetch = (input, init) => recordingFetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': '10.99.0.1' } });
      const guesser = new BankApiClient({ baseUrl: t.url, accessToken: () => guesserToken, fetch: fromElsewhere });
      const customer = await t.newCustomer();
      for (let i = 0; i < 5; i++) expect((await refusal(guesser.unlockUser(customer.user.id, `guess-${i}`))).code).toBe('ADMIN_KEY_INVALID');
      const suspended = await refusal(guesser.unlockUser(customer.user.id, t.config.adminKey));
      expect(suspended).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(suspended.retryAfterS).toBeGreaterThan(500);
      expect(suspended.retryAfterS).toBeLessThanOrEqual(600);
      expect(suspended.retryAfterS).toBe(Number(lastExchange().responseHeaders.get('retry-after')));
    });

    it('an unreachable api is status 0 NETWORK_ERROR; an error page that is not JSON keeps its status and status text', async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const offline = await refusal(new BankApiClient({ baseUrl: `http://127.0.0.1:${closedPort}` }).me());
      expect(offline).toMatchObject({ status: 0, code: 'NETWORK_ERROR', errors: [], retryAfterS: null });
      expect(offline.message).toMatch(/could not be reached/);
      // With no baseUrl the client targets the page's own origin; outside a page there is none.
      expect(await refusal(new BankApiClient().me())).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });

      // A proxy in front of the api may answer with HTML; no live server does, so fetch stands in for it.
      const gateway = new BankApiClient({
        baseUrl: t.url,
        fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html', 'retry-after': 'soon' } }),
      });
      const badGateway = await refusal(gateway.me());
      expect(badGateway).toMatchObject({ status: 502, code: 'INTERNAL_ERROR', message: 'Bad Gateway', retryAfterS: null, document: { title: 'Bad Gateway' } });
    });
  });

  describe('accounts and money', () => {
    it('accounts() lists the own accounts; openAccount() opens checking by default or savings; account() reads one, and another customer’s is 404', async () => {
      const [alice, bob] = await Promise.all([t.newCustomer(), t.newCustomer()]);
      const api = client(alice);
      expect((await api.accounts()).items.map((a) => a.id)).toEqual([alice.accountId]);
      const checking = await api.openAccount();
      expect(checking).toMatchObject({ type: 'checking', currency: 'USD', balance: 0, status: 'active', number: expect.stringMatching(/^\d{12}$/) });
      const savings = await api.openAccount({ type: 'savings' });
      expect(savings).toMatchObject({ type: 'savings', currency: 'USD', balance: 0 });
      expect((await api.accounts()).items.map((a) => a.id).sort()).toEqual([alice.accountId, checking.id, savings.id].sort());
      expect(await api.account(savings.id)).toEqual(savings);
      expect(await refusal(client(bob).account(savings.id))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(await refusal(api.openAccount({ currency: 'XYZ' as 'USD' }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    });

    it('deposit, withdraw and transfer send the Idempotency-Key: a replay answers the same transaction and moves money once', async () => {
      const [alice, bob] = await Promise.all([t.newFundedCustomer(100_000, { fullName: 'Alice Payer' }), t.newCustomer()]);
      const api = client(alice);

      const depositKey = randomUUID();
      const deposited = await api.deposit(alice.accountId, { amount: 2_500, description: 'cash' }, depositKey);
      expect(lastExchange().requestHeaders['idempotency-key']).toBe(depositKey);
      expect(deposited.transaction).toMatchObject({ kind: 'deposit', amount: 2_500, currency: 'USD', description: 'cash' });
      expect(deposited.account).toMatchObject({ id: alice.accountId, balance: 102_500 });
      expect(await api.deposit(alice.accountId, { amount: 2_500, description: 'cash' }, depositKey)).toEqual(deposited);
      expect(lastExchange().responseHeaders.get('idempotent-replayed')).toBe('true');
      expect(await refusal(api.deposit(alice.accountId, { amount: 9_999 }, depositKey))).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });

      const withdrawKey = randomUUID();
      const withdrawn = await api.withdraw(alice.accountId, { amount: 500, pin: TEST_PIN }, withdrawKey);
      expect(withdrawn.transaction).toMatchObject({ kind: 'withdrawal', amount: 500 });
      expect(withdrawn.account.balance).toBe(102_000);
      expect((await api.withdraw(alice.accountId, { amount: 500, pin: TEST_PIN }, withdrawKey)).transaction.id).toBe(withdrawn.transaction.id);
      const wrongPin = await refusal(api.withdraw(alice.accountId, { amount: 500, pin: '0000' }, randomUUID()));
      expect(wrongPin).toMatchObject({ status: 422, code: 'PIN_INVALID' });
      expect(wrongPin.document.attemptsLeft).toBe(2);

      const transferKey = randomUUID();
      const transferred = await api.transfer({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 2_000, description: 'rent' }, transferKey);
      expect(transferred.transaction).toMatchObject({ kind: 'transfer', amount: 2_000, description: 'rent' });
      expect(transferred.account).toMatchObject({ id: alice.accountId, balance: 100_000 });
      expect(await api.transfer({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 2_000, description: 'rent' }, transferKey)).toEqual(transferred);

      expect((await api.account(alice.accountId)).balance).toBe(100_000);
      expect((await client(bob).account(bob.accountId)).balance).toBe(2_000);

      expect((await refusal(api.transfer({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100_001 }, randomUUID()))).code).toBe('INSUFFICIENT_FUNDS');
      expect((await refusal(api.transfer({ fromAccountId: alice.accountId, toAccountNumber: alice.accountNumber, amount: 1 }, randomUUID()))).code).toBe('SELF_TRANSFER');
      const zero = await refusal(api.deposit(alice.accountId, { amount: 0 }, randomUUID()));
      expect(zero).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(zero.fieldError('amount')).toEqual(expect.any(String));
    });

    it('history() pages newest first with limit and cursor; amounts are signed and a transfer names its counterparty', async () => {
      const [alice, bob] = await Promise.all([t.newFundedCustomer(10_000), t.newCustomer({ fullName: 'Bob Payee' })]);
      const api = client(alice);
      await api.deposit(alice.accountId, { amount: 100 }, randomUUID());
      await api.withdraw(alice.accountId, { amount: 50, pin: TEST_PIN }, randomUUID());
      await api.transfer({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 30 }, randomUUID());

      const first = await api.history(alice.accountId, { limit: 3, cursor: null });
      expect(lastExchange().url).toMatch(/\/transactions\?limit=3$/);
      expect(first.items.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
        ['transfer', -30, 10_020],
        ['withdrawal', -50, 10_050],
        ['deposit', 100, 10_100],
      ]);
      expect(first.items[0].counterparty).toEqual({ accountNumber: bob.accountNumber, name: 'Bob Payee' });
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await api.history(alice.accountId, { limit: 3, cursor: first.nextCursor });
      expect(second.items.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([['deposit', 10_000, 10_000]]);
      expect(second.nextCursor).toBeNull();
      expect((await api.history(alice.accountId)).items).toHaveLength(4);

      const bobs = await client(bob).history(bob.accountId);
      expect(bobs.items).toEqual([expect.objectContaining({ kind: 'transfer', amount: 30, transactionId: first.items[0].transactionId, counterparty: { accountNumber: alice.accountNumber, name: 'Funded Customer' } })]);
    });
  });

  describe('service requests', () => {
    it('a customer files, lists by status, reads with history and cancels; cancelling twice is 409 INVALID_STATE_TRANSITION', async () => {
      const customer = await t.newCustomer();
      const api = client(customer);
      const filed = await api.fileRequest({ type: 'limit_increase', accountId: customer.accountId, details: { dailyLimit: 2_000_000 } });
      expect(lastExchange().status).toBe(202);
      expect(filed).toMatchObject({ type: 'limit_increase', status: 'submitted', ownerId: customer.user.id, accountId: customer.accountId, details: { dailyLimit: 2_000_000 } });
      const kyc = await api.fileRequest({ type: 'kyc_update', details: { address: '1 Client Street', phone: '+1 555 0100' } });

      expect((await api.serviceRequests()).items.map((r) => r.id)).toEqual([kyc.id, filed.id]);
      expect((await api.serviceRequests({ status: 'submitted', limit: 1 })).items.map((r) => r.id)).toEqual([kyc.id]);
      const detail = await api.serviceRequest(filed.id);
      expect(detail.history).toEqual([expect.objectContaining({ from: null, to: 'submitted', actorId: customer.user.id })]);

      expect(await api.cancelRequest(filed.id)).toMatchObject({ id: filed.id, status: 'cancelled' });
      expect((await api.serviceRequests({ status: 'cancelled' })).items.map((r) => r.id)).toEqual([filed.id]);
      expect(await refusal(api.cancelRequest(filed.id))).toMatchObject({ status: 409, code: 'INVALID_STATE_TRANSITION' });
      const invalid = await refusal(api.fileRequest({ type: 'limit_increase', details: { dailyLimit: -1 } }));
      expect(invalid.fieldError('details.dailyLimit')).toEqual(expect.any(String));
      expect(invalid.fieldError('accountId')).toEqual(expect.any(String));
      expect(await refusal(client(await t.newCustomer()).serviceRequest(kyc.id))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });

    it('an employee sees the triaged queue, claims, approves or rejects; a second claim is 409 and a customer cannot claim', async () => {
      const customer = await t.newCustomer();
      const employee = client(await t.newStaff('employee'));
      const owner = client(customer);
      const toApprove = await owner.fileRequest({ type: 'kyc_update', details: { address: '2 Review Road', phone: '+1 555 0101' } });
      const toReject = await owner.fileRequest({ type: 'limit_increase', accountId: customer.accountId, details: { dailyLimit: 5_000_000 } });
      await triage(toApprove.id);
      await triage(toReject.id);

      const queue = (await employee.serviceRequests({ status: 'pending_review', limit: 100 })).items.map((r) => r.id);
      // Employees work the queue oldest first.
      expect(queue.indexOf(toApprove.id)).toBeGreaterThanOrEqual(0);
      expect(queue.indexOf(toApprove.id)).toBeLessThan(queue.indexOf(toReject.id));
      expect(await refusal(owner.claimRequest(toApprove.id))).toMatchObject({ status: 403, code: 'FORBIDDEN' });

      const claimed = await employee.claimRequest(toApprove.id);
      expect(claimed).toMatchObject({ status: 'in_review', assigneeId: expect.any(String) });
      expect(await refusal(employee.claimRequest(toApprove.id))).toMatchObject({ status: 409 });
      const approved = await employee.approveRequest(toApprove.id, 'address checked');
      expect(approved).toMatchObject({ id: toApprove.id, status: 'approved', assigneeId: claimed.assigneeId });
      expect((await employee.serviceRequest(toApprove.id)).history!.at(-1)).toMatchObject({ from: 'in_review', to: 'approved', note: 'address checked' });

      await employee.claimRequest(toReject.id);
      const rejected = await employee.rejectRequest(toReject.id, 'income not shown');
      expect(rejected).toMatchObject({ id: toReject.id, status: 'rejected', resolution: 'income not shown' });
      expect((await owner.serviceRequest(toReject.id)).status).toBe('rejected');
      expect(await refusal(employee.rejectRequest(toReject.id, 'again'))).toMatchObject({ status: 409 });
    });

    it('approveRequest() without a note, then submitRequestInput(): a card_pin_reset waits for the owner, whose new PIN works at once', async () => {
      const customer = await t.newFundedCustomer(1_000);
      const owner = client(customer);
      const employee = client(await t.newStaff('employee'));
      const filed = await owner.fileRequest({ type: 'card_pin_reset', details: {} });
      await triage(filed.id);
      await employee.claimRequest(filed.id);
      const awaiting = await employee.approveRequest(filed.id);
      expect(awaiting).toMatchObject({ status: 'awaiting_customer', expiresAt: expect.any(String) });
      expect((await employee.serviceRequest(filed.id)).history!.at(-1)).toMatchObject({ to: 'awaiting_customer', note: null });

      const invalid = await refusal(owner.submitRequestInput(filed.id, { pin: 'abcd' }));
      expect(invalid.fieldError('pin')).toEqual(expect.any(String));
      const submitted: RequestView = await owner.submitRequestInput(filed.id, { pin: '9876' });
      expect(lastExchange().status).toBe(202);
      expect(submitted).toMatchObject({ id: filed.id, status: 'approved' });
      expect(JSON.stringify(await employee.serviceRequest(filed.id))).not.toContain('9876');
      expect(await refusal(owner.submitRequestInput(filed.id, { pin: '1111' }))).toMatchObject({ status: 409, code: 'INVALID_STATE_TRANSITION' });
      expect((await owner.withdraw(customer.accountId, { amount: 100, pin: '9876' }, randomUUID())).account.balance).toBe(900);
      expect((await refusal(owner.withdraw(customer.accountId, { amount: 100, pin: TEST_PIN }, randomUUID()))).code).toBe('PIN_INVALID');
    });
  });

  it('events(after) is the REST fallback of the live stream: the caller’s envelopes oldest first, paged from an id', async () => {
    // Events get their public id from the outbox relay, which runs in the worker, not in TestApp:
    // the worker's own relay service is started here for this test.
    const relay = new OutboxRelayService(t.config, new OutboxRelayRepository());
    await relay.onApplicationBootstrap();
    try {
      const customer = await t.newCustomer();
      const api = client(customer);
      const { transaction } = await api.deposit(customer.accountId, { amount: 700 }, randomUUID());
      await eventually(async () => (await api.events('0')).items.length === 3, 'the relay to number the deposit’s three events');
      const all = await api.events('0');
      expect(lastExchange().url).toMatch(/\/events\?after=0&limit=100$/);
      expect(all.nextCursor).toBeNull();
      expect(all.items.map((e) => e.type).sort()).toEqual(['balance.updated', 'notification.created', 'transaction.posted']);
      expect(BigInt(all.items[2].id) > BigInt(all.items[1].id) && BigInt(all.items[1].id) > BigInt(all.items[0].id)).toBe(true);
      expect(all.items.find((e) => e.type === 'balance.updated')!.data).toEqual({ accountId: customer.accountId, balance: 700, availableBalance: 700, currency: 'USD', transactionId: transaction.id });
      expect(all.items.find((e) => e.type === 'transaction.posted')!.data).toMatchObject({ accountId: customer.accountId, transactionId: transaction.id, amount: 700 });

      const first = await api.events('0', 1);
      expect(first.items).toEqual([all.items[0]]);
      expect(first.nextCursor).toBe(all.items[0].id);
      expect((await api.events(first.nextCursor!, 1)).items).toEqual([all.items[1]]);
      expect((await api.events(all.items[2].id)).items).toEqual([]);
      // Another customer's stream does not carry them.
      expect((await client(await t.newCustomer()).events('0')).items).toEqual([]);
      expect(await refusal(api.events('not-an-id'))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    } finally {
      await relay.onApplicationShutdown();
    }
  });

  describe('admin', () => {
    it('createStaff(), users(), lockUser(), unlockUser() with the admin key, securityEvents() by type and page', async () => {
      const root = await admin();
      const customer = await t.newCustomer();
      expect(await refusal(client(customer).users())).toMatchObject({ status: 403, code: 'FORBIDDEN' });

      const staffEmail = uniqueEmail('employee');
      const staff = await root.createStaff({ email: staffEmail, password: TEST_PASSWORD, fullName: 'New Employee', role: 'employee' });
      expect(staff).toMatchObject({ email: staffEmail, role: 'employee', status: 'active' });
      expect(tokensOf(await as(null).login(staffEmail, TEST_PASSWORD)).user.id).toBe(staff.id);

      await refusal(as(null).login(customer.email, 'a-wrong-password'));
      expect((await root.securityEvents()).items[0]).toMatchObject({ type: 'login.failed', userId: customer.user.id });
      const failures = await root.securityEvents({ type: 'login.failed' });
      expect(failures.items.every((e) => e.type === 'login.failed')).toBe(true);
      expect(failures.items[0]).toMatchObject({ userId: customer.user.id, ip: expect.any(String) });

      const locked = await root.lockUser(customer.user.id, 'card reported stolen');
      expect(locked).toMatchObject({ id: customer.user.id, status: 'locked' });
      expect((await root.users({ status: 'locked', limit: 100 })).items.map((u) => u.id)).toContain(customer.user.id);
      expect((await root.users({ status: 'active', limit: 100 })).items.map((u) => u.id)).not.toContain(customer.user.id);
      expect(await refusal(as(null).login(customer.email, TEST_PASSWORD))).toMatchObject({ status: 423, code: 'ACCOUNT_LOCKED' });

      expect(await refusal(root.unlockUser(customer.user.id, 'not-the-admin-key'))).toMatchObject({ status: 403, code: 'ADMIN_KEY_INVALID' });
      const unlocked = await root.unlockUser(customer.user.id, t.config.adminKey);
      expect(lastExchange().requestHeaders['x-admin-key']).toBe(t.config.adminKey);
      expect(unlocked).toMatchObject({ id: customer.user.id, status: 'active' });
      expect(tokensOf(await as(null).login(customer.email, TEST_PASSWORD)).user.id).toBe(customer.user.id);

      const newest = await root.securityEvents({ limit: 2 });
      expect(newest.items.map((e) => e.type)).toEqual(['account.unlocked', 'admin_key.failed']);
      expect(newest.nextCursor).toEqual(expect.any(String));
      const older = await root.securityEvents({ limit: 1, cursor: newest.nextCursor });
      expect(older.items[0]).toMatchObject({ type: 'account.locked', userId: customer.user.id, detail: { reason: 'card reported stolen' } });

      const page = await root.users({ limit: 1 });
      expect(page.items).toHaveLength(1);
      const next = await root.users({ limit: 1, cursor: page.nextCursor });
      expect(next.items[0].id).not.toBe(page.items[0].id);
    });

    it('allTransactions() pages across all accounts, ledgerCheck() is balanced, stats() moves with a deposit', async () => {
      const root = await admin();
      const [alice, bob] = await Promise.all([t.newCustomer(), t.newCustomer()]);
      const dayBefore = new Date().toISOString().slice(0, 10);
      const before = await root.stats();
      const a = await client(alice).deposit(alice.accountId, { amount: 1_234 }, randomUUID());
      const b = await client(bob).deposit(bob.accountId, { amount: 4_321 }, randomUUID());

      const newest = await root.allTransactions({ limit: 1 });
      expect(newest.items).toEqual([b.transaction]);
      const next = await root.allTransactions({ limit: 1, cursor: newest.nextCursor });
      expect(next.items).toEqual([a.transaction]);
      expect((await root.allTransactions()).items.length).toBeGreaterThanOrEqual(2);

      const check = await root.ledgerCheck();
      expect(check).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], accounts: expect.any(Number) });

      const after = await root.stats();
      expect(BigInt(after.totalCustomerBalance) - BigInt(before.totalCustomerBalance)).toBe(BigInt(1_234 + 4_321));
      // Counted per UTC day: only comparable when both reads fell on the same day.
      if (new Date().toISOString().slice(0, 10) === dayBefore) expect(after.transactionsToday - before.transactionsToday).toBe(2);
      const [expected] = await t.sql<{ customers: number; accounts: number; lockedUsers: number; openRequests: number }>(
        `select (select count(*)::int from users where role = 'customer') as "customers",
                (select count(*)::int from accounts where kind = 'customer') as "accounts",
                (select count(*)::int from users where status = 'locked') as "lockedUsers",
                (select count(*)::int from service_requests where status in (?)) as "openRequests"`,
        [[...OPEN_REQUEST_STATUSES]],
      );
      expect(after).toMatchObject(expected);
      expect(await refusal(client(alice).ledgerCheck())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('openQueueBoard() sets the HttpOnly board cookie (which a browser keeps; Node’s fetch only shows it) and is for admins only', async () => {
      const root = await admin();
      await expect(root.openQueueBoard()).resolves.toBeUndefined();
      const { status, responseHeaders } = lastExchange();
      expect(status).toBe(204);
      const cookie = responseHeaders.getSetCookie().find((c) => c.startsWith('bankingcore_queue_board='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Path=\/admin\/queues/);
      expect(await refusal(client(await t.newStaff('employee')).openQueueBoard())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });
  });
});
