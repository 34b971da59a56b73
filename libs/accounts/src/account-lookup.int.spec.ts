import { luhnCheckDigit } from '@bank/contracts/account-number';
import { randomInt } from 'node:crypto';
import { bearer, TestApp, TEST_PASSWORD, TEST_PIN, uniqueEmail } from '../../../test/support/test-app';

/** A valid number (check digit right) that no account has: a fresh 11-digit payload nobody was given. */
function unusedAccountNumber(): string {
  const payload = `9${String(Date.now()).slice(-10)}`;
  return `${payload}${luhnCheckDigit(payload)}`;
}

describe('GET /accounts/lookup (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const lookup = (token: string, number: string) => t.http().get('/api/v1/accounts/lookup').query({ number }).set(bearer(token));

  it('names the holder masked to first name and last initial: two words, one word, many parts', async () => {
    const payer = await t.newCustomer();
    const cases: Array<[string, string]> = [
      ['Bob Builder', 'Bob B.'],
      ['Cher', 'Cher'],
      ['Maria  de la Cruz Ortega', 'Maria O.'],
    ];
    for (const [fullName, masked] of cases) {
      const payee = await t.newCustomer({ fullName });
      const response = await lookup(payer.accessToken, payee.accountNumber).expect(200);
      expect(response.body).toEqual({ accountNumber: payee.accountNumber, name: masked });
    }
  });

  it('404 for a number no account has and for a closed account; a frozen account (it can receive) is named', async () => {
    const payer = await t.newCustomer();
    const notFound = await lookup(payer.accessToken, unusedAccountNumber()).expect(404);
    expect(notFound.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notFound.body).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'An account with this number was not found.' });

    const [closed, frozen] = await Promise.all([t.newCustomer({ fullName: 'Closed Clara' }), t.newCustomer({ fullName: 'Frozen Fred' })]);
    await t.sql(`update accounts set status = 'closed' where id = ?`, [closed.accountId]);
    await t.sql(`update accounts set status = 'frozen' where id = ?`, [frozen.accountId]);
    expect((await lookup(payer.accessToken, closed.accountNumber).expect(404)).body.code).toBe('NOT_FOUND');
    expect((await lookup(payer.accessToken, frozen.accountNumber).expect(200)).body.name).toBe('Frozen F.');
  });

  it('400 for a malformed number (length, letters, wrong check digit, missing, unknown parameter)', async () => {
    const payee = await t.newCustomer();
    const wrongCheckDigit = payee.accountNumber.slice(0, 11) + String((Number(payee.accountNumber[11]) + 1) % 10);
    const queries = [{ number: '12345' }, { number: '12345678901a' }, { number: wrongCheckDigit }, { number: '' }, {}, { number: payee.accountNumber, name: 'x' }];
    const payer = await t.newCustomer();
    for (const query of queries) {
      const response = await t.http().get('/api/v1/accounts/lookup').query(query).set(bearer(payer.accessToken)).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('customers only: staff get 403, no token 401', async () => {
    const payee = await t.newCustomer();
    const [employee, admin] = await Promise.all([t.newStaff('employee'), t.admin()]);
    expect((await lookup(employee.accessToken, payee.accountNumber).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await lookup(admin.accessToken, payee.accountNumber).expect(403)).body.code).toBe('FORBIDDEN');
    await t.http().get('/api/v1/accounts/lookup').query({ number: payee.accountNumber }).expect(401);
  });
});

describe('GET /accounts/lookup rate limit (HTTP, counted in real Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMITS: 'on', RATE_LIMIT_LOOKUP_PER_USER: '3/60' });
  });
  afterAll(() => t.close());

  /**
   * A customer registered and signed in from an address nobody else in the run uses: with limits
   * on, the registration and sign-in limits (shared in Redis by the suites of a run) stay clear.
   */
  async function customerFromOwnAddress(fullName: string): Promise<{ accessToken: string; accountNumber: string }> {
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const email = uniqueEmail('lookup');
    const registered = await t.http().post('/api/v1/auth/register').set('X-Forwarded-For', ip).send({ email, password: TEST_PASSWORD, fullName, pin: TEST_PIN }).expect(201);
    const tokens = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: TEST_PASSWORD }).expect(200);
    return { accessToken: tokens.body.accessToken as string, accountNumber: registered.body.account.number as string };
  }
  const lookup = (token: string, number: string) => t.http().get('/api/v1/accounts/lookup').query({ number }).set(bearer(token));

  it('past the limit 429 with Retry-After, refused lookups counted too; another customer is unaffected', async () => {
    const [prober, other, payee] = await Promise.all([customerFromOwnAddress('Pat Prober'), customerFromOwnAddress('Olga Other'), customerFromOwnAddress('Paid Person')]);
    await lookup(prober.accessToken, payee.accountNumber).expect(200);
    await lookup(prober.accessToken, unusedAccountNumber()).expect(404);
    await lookup(prober.accessToken, payee.accountNumber).expect(200);
    const refused = await lookup(prober.accessToken, payee.accountNumber).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await lookup(other.accessToken, payee.accountNumber).expect(200);
  });
});
