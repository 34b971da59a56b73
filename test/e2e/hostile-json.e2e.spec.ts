import fc from 'fast-check';
import type { Response } from 'supertest';
import { bearer, TestApp, type TestCustomer, type TestStaff } from '../support/test-app';

/**
 * Hostile input, property-based (fast-check), over every JSON endpoint and every list query:
 * random types, huge and deep JSON, unicode and control characters, prototype-pollution keys, SQL
 * and script fragments, numbers beyond 2^53. Every input is invalid by construction, so every
 * answer must be a 4xx problem document — never a 5xx — and afterwards no row of any table has
 * changed, the ledger check is balanced and Object.prototype is as it was.
 */

const SEED = Number(process.env.FC_SEED ?? 20261125);
const RUNS = Number(process.env.FC_RUNS ?? 100);

const NASTY_STRINGS = [
  "' OR 1=1 --",
  "'; drop table users; --",
  '"; select pg_sleep(5); --',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '\u0000',
  '\ud800',
  '\u202e\u0041\u0301',
  '../../etc/passwd',
  '%00%2e%2e',
  'x'.repeat(10_000),
  '🏦💸'.repeat(50),
];
/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on a lone surrogate). */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', "' OR 1=1 --", '<img src=x onerror=alert(1)>', '\u0000', '$where', 'toString'];
const BAD_NUMBERS = [0, -0, -1, 0.5, 1.000001, 1e11 + 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, Number.MIN_VALUE];

const nastyString = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 64 }));
/** Any JSON value at all, hostile strings among them. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nastyString, fc.constantFrom(...BAD_NUMBERS), fc.constant(null));
/** A value that is not a valid amount (API.md: an integer 1 ≤ amount ≤ 1e11). */
const badAmount = fc.oneof(fc.constantFrom(...BAD_NUMBERS), fc.double({ noInteger: true }), fc.integer({ max: 0 }), nastyString, fc.constantFrom(null, true, [], {}, '100'));

/** The ways a body is made invalid, each given a valid one. */
function hostileBodies(valid: Record<string, unknown>, optional: string[]): fc.Arbitrary<{ raw: string; label: string }> {
  const json = (value: unknown, label: string) => ({ raw: JSON.stringify(value), label });
  const fields = Object.keys(valid);
  const required = fields.filter((field) => !optional.includes(field));
  return fc.oneof(
    // the whole body is not an object
    fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)), nastyString).map((v) => json(v, 'not an object')),
    // an unknown key (hostile name, hostile value): strict schemas refuse it
    fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS), nastyString.filter((k) => !fields.includes(k))), anyJson).map(([key, value]) => ({
      // written as text: JSON.stringify would drop a __proto__ set through an object literal
      raw: `{${[...fields.map((f) => `${JSON.stringify(f)}:${JSON.stringify(valid[f])}`), `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`].join(',')}}`,
      label: `unknown key ${JSON.stringify(key).slice(0, 40)}`,
    })),
    // one field of the wrong type (an object, an array, a number for a string, a string for a number)
    fc.tuple(fc.constantFrom(...fields), fc.constantFrom<unknown>({}, [], true, { $gt: '' }, ['a', 'b'])).map(([field, value]) => json({ ...valid, [field]: value }, `${field} of a wrong type`)),
    // a required field missing
    fc.constantFrom(...(required.length > 0 ? required : fields)).map((field) => {
      const { [field]: _dropped, ...rest } = valid;
      return json(rest, `${field} missing`);
    }),
  );
}

const RAW_HOSTILE = [
  { raw: '{"amount": 1,', label: 'truncated JSON' },
  { raw: "{'amount': 1}", label: 'single quotes' },
  { raw: '[' .repeat(5_000) + ']'.repeat(5_000), label: 'nested 5,000 deep' },
  { raw: '{"a":'.repeat(3_000) + '1' + '}'.repeat(3_000), label: 'objects nested 3,000 deep' },
  { raw: JSON.stringify({ pad: 'x'.repeat(150_000) }), label: 'over 100 kB' },
  { raw: `{"amount": ${'9'.repeat(400)}}`, label: 'a 400-digit number' },
  { raw: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', label: 'prototype pollution' },
  { raw: '\u0000\u0001\u0002', label: 'control bytes' },
  { raw: '', label: 'empty body' },
];

describe('hostile input over every JSON endpoint (property-based)', () => {
  let t: TestApp;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let employee: TestStaff;
  let admin: TestStaff;
  let requestId: string;
  let digestBefore: string;
  const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const answers: Array<{ route: string; label: string; status: number }> = [];

  const digest = async (): Promise<string> => {
    const tables = await t.sql<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations' order by 1`);
    const parts = await Promise.all(tables.map(async ({ name }) => (await t.sql<{ md5: string }>(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as md5 from "${name}" x`))[0].md5));
    return tables.map(({ name }, i) => `${name}:${parts[i]}`).join('\n');
  };

  // A database of its own: "no row changed" is checked over every table, which other tests would write to.
  beforeAll(async () => {
    t = await TestApp.startOnOwnDatabase('hostile');
    [alice, bob, employee, admin] = await Promise.all([t.newFundedCustomer(100_000), t.newCustomer(), t.newStaff('employee'), t.admin()]);
    requestId = (await t.http().post('/api/v1/service-requests').set(bearer(alice.accessToken)).send({ type: 'card_pin_reset', details: {} }).expect(202)).body.id;
    digestBefore = await digest();
  });
  afterAll(() => t?.close());

  const expectProblem = (response: Response, route: string, label: string) => {
    answers.push({ route, label, status: response.status });
    const context = `${route} with ${label}: ${response.status} ${response.text.slice(0, 300)}`;
    if (response.status < 400 || response.status >= 500) throw new Error(`expected a 4xx problem document — ${context}`);
    if (!/^application\/problem\+json/.test(String(response.headers['content-type']))) throw new Error(`not a problem document — ${context}`);
    if (response.body.status !== response.status || typeof response.body.code !== 'string') throw new Error(`malformed problem document — ${context}`);
  };

  /** `optional`: fields the api may go without (not dropped by the "missing" strategy); `allOptional`: an empty body is valid. */
  type BodyRoute = {
    route: string;
    path: () => string;
    method?: 'POST' | 'DELETE';
    token?: () => string;
    valid: () => Record<string, unknown>;
    headers?: Record<string, string>;
    optional?: string[];
    allOptional?: boolean;
  };
  const bodyRoutes: BodyRoute[] = [
    { route: 'POST /auth/register', path: () => '/api/v1/auth/register', valid: () => ({ email: 'new-person@test.bankingcore.local', password: 'a-long-enough-password', fullName: 'New Person', pin: '1234' }) },
    { route: 'POST /auth/login', path: () => '/api/v1/auth/login', valid: () => ({ email: alice.email, password: alice.password }) },
    { route: 'POST /auth/refresh', path: () => '/api/v1/auth/refresh', valid: () => ({ refreshToken: alice.refreshToken }), allOptional: true },
    { route: 'POST /auth/logout', path: () => '/api/v1/auth/logout', token: () => alice.accessToken, valid: () => ({ refreshToken: alice.refreshToken }), allOptional: true },
    // Only invalid bodies reach it (a valid one with another current password would count toward the lockout).
    { route: 'POST /auth/password', path: () => '/api/v1/auth/password', token: () => alice.accessToken, valid: () => ({ currentPassword: alice.password, newPassword: 'a-brand-new-password' }) },
    { route: 'POST /accounts', path: () => '/api/v1/accounts', token: () => alice.accessToken, valid: () => ({ type: 'savings', currency: 'USD' }), allOptional: true },
    { route: 'POST /accounts/:id/deposits', path: () => `/api/v1/accounts/${alice.accountId}/deposits`, token: () => alice.accessToken, valid: () => ({ amount: 100, description: 'x' }), headers: { 'Idempotency-Key': 'hostile' }, optional: ['description'] },
    { route: 'POST /accounts/:id/withdrawals', path: () => `/api/v1/accounts/${alice.accountId}/withdrawals`, token: () => alice.accessToken, valid: () => ({ amount: 100, pin: '4321' }) },
    { route: 'POST /transfers', path: () => '/api/v1/transfers', token: () => alice.accessToken, valid: () => ({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }) },
    { route: 'POST /service-requests', path: () => '/api/v1/service-requests', token: () => alice.accessToken, valid: () => ({ type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 5_000_000 } }) },
    { route: 'POST /service-requests/:id/approve', path: () => `/api/v1/service-requests/${requestId}/approve`, token: () => employee.accessToken, valid: () => ({ note: 'ok' }), allOptional: true },
    { route: 'POST /service-requests/:id/reject', path: () => `/api/v1/service-requests/${requestId}/reject`, token: () => employee.accessToken, valid: () => ({ reason: 'no' }) },
    { route: 'POST /service-requests/:id/submit', path: () => `/api/v1/service-requests/${requestId}/submit`, token: () => alice.accessToken, valid: () => ({ pin: '9876' }) },
    { route: 'POST /admin/users/:id/lock', path: () => `/api/v1/admin/users/${bob.user.id}/lock`, token: () => admin.accessToken, valid: () => ({ reason: 'test' }) },
    { route: 'POST /admin/staff', path: () => '/api/v1/admin/staff', token: () => admin.accessToken, valid: () => ({ email: 'staff-x@test.bankingcore.local', password: 'a-long-enough-password', fullName: 'Staff X', role: 'employee' }) },
    // Two-factor sign-in (POST /auth/mfa/totp/setup reads no body).
    { route: 'POST /auth/mfa/totp/confirm', path: () => '/api/v1/auth/mfa/totp/confirm', token: () => alice.accessToken, valid: () => ({ code: '123456' }) },
    { route: 'DELETE /auth/mfa/totp', path: () => '/api/v1/auth/mfa/totp', method: 'DELETE', token: () => alice.accessToken, valid: () => ({ password: alice.password, code: '123456' }) },
    { route: 'POST /auth/mfa/verify', path: () => '/api/v1/auth/mfa/verify', valid: () => ({ mfaToken: 'a'.repeat(43), code: '123456' }) },
  ];

  const send = (route: BodyRoute, raw: string, contentType = 'application/json') => {
    let call = (route.method === 'DELETE' ? t.http().delete(route.path()) : t.http().post(route.path())).set('Content-Type', contentType);
    if (route.token) call = call.set(bearer(route.token()));
    for (const [name, value] of Object.entries(route.headers ?? {})) call = call.set(name, value);
    return call.send(raw);
  };

  it.each(bodyRoutes.map((route) => [route.route, route] as const))('%s: hostile bodies are refused with a 4xx problem document', async (_, route) => {
    // An empty or unreadable body is no body: valid where every field is optional.
    const raws = route.allOptional ? RAW_HOSTILE.filter((hostile) => hostile.label !== 'empty body') : RAW_HOSTILE;
    for (const hostile of raws) expectProblem(await send(route, hostile.raw), route.route, hostile.label);
    if (!route.allOptional) expectProblem(await send(route, JSON.stringify(route.valid()), 'text/plain'), route.route, 'a text/plain body');
    const optional = route.allOptional ? Object.keys(route.valid()) : (route.optional ?? []);
    await fc.assert(
      fc.asyncProperty(hostileBodies(route.valid(), optional).filter(({ label }) => !(route.allOptional && label.endsWith('missing'))), async ({ raw, label }) => {
        expectProblem(await send(route, raw), route.route, label);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('text PostgreSQL cannot store (NUL, unpaired surrogates) in every free-text field, and bodies that do not decompress', async () => {
    const textFields: Array<[string, string]> = [
      ['POST /auth/register', 'fullName'],
      ['POST /accounts/:id/deposits', 'description'],
      ['POST /transfers', 'description'],
      ['POST /service-requests/:id/reject', 'reason'],
      ['POST /admin/users/:id/lock', 'reason'],
      ['POST /admin/staff', 'fullName'],
    ];
    for (const [name, field] of textFields) {
      const route = bodyRoutes.find((r) => r.route === name)!;
      for (const bad of ['a\\u0000b', 'a\\ud800b', '\\udc00']) {
        const raw = JSON.stringify({ ...route.valid(), [field]: 'PLACEHOLDER' }).replace('PLACEHOLDER', bad);
        expectProblem(await send(route, raw), name, `${field} with ${bad}`);
      }
    }
    const kyc = bodyRoutes.find((r) => r.route === 'POST /service-requests')!;
    expectProblem(await send(kyc, '{"type":"kyc_update","details":{"address":"1 Main\\u0000 Street","phone":"+1 555 0100"}}'), kyc.route, 'address with NUL');
    for (const route of bodyRoutes) {
      let call = (route.method === 'DELETE' ? t.http().delete(route.path()) : t.http().post(route.path())).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip');
      if (route.token) call = call.set(bearer(route.token()));
      expectProblem(await call.send(Buffer.from('this is not gzip')), route.route, 'a gzip body that does not decompress');
    }
  });

  it('hostile Content-Types with a valid JSON body, hostile Origins on the sign-in routes: 4xx, never read (wrong admin keys are security events: admin-key-attempts.int.spec)', async () => {
    const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
    // What the api reads: application/json with no charset or UTF-8 (API.md "Hardening"); everything else is 415.
    const readable = (type: string) => /^\s*application\/json\s*(;\s*charset\s*=\s*"?utf-?8"?\s*)?(;[^;]*)*$/i.test(type) && !/charset\s*=\s*"?(?!utf-?8)/i.test(type);
    const contentType = fc
      .oneof(
        fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/json-patch+json', '*/*', 'json'),
        printable.map((charset) => `application/json; charset=${charset}`),
        printable,
      )
      .filter((type) => type.trim() !== '' && !readable(type));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bodyRoutes), contentType, async (route, type) => {
        expectProblem(await send(route, JSON.stringify(route.valid()), type), route.route, `Content-Type ${JSON.stringify(type)}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const signIns = bodyRoutes.filter((route) => /^POST \/auth\/(login|register|refresh)$/.test(route.route));
    const origin = fc.oneof(fc.constantFrom('null', 'https://evil.example', 'http://localhost', 'file://'), printable.filter((o) => o.trim() !== '' && !o.includes('127.0.0.1')));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signIns), origin, async (route, hostileOrigin) => {
        const response = await t.http().post(route.path()).set('Origin', hostileOrigin).send(route.valid());
        expectProblem(response, route.route, `Origin ${JSON.stringify(hostileOrigin)}`);
        expect(response.headers['set-cookie']).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('hostile amounts and Idempotency-Keys on every money route', async () => {
    const money = bodyRoutes.filter((route) => /deposits|withdrawals|transfers/.test(route.route));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...money), badAmount, fc.option(fc.oneof(nastyString, fc.constant('k'.repeat(256)))), async (route, amount, key) => {
        let call = t.http().post(route.path()).set(bearer(route.token!())).send({ ...route.valid(), amount });
        if (key !== null) call = call.set('Idempotency-Key', encode(key).slice(0, 8_000));
        expectProblem(await call, route.route, `amount ${JSON.stringify(amount)?.slice(0, 40)}`);
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('hostile ids in the path', async () => {
    const paths = [
      (id: string) => ['GET', `/api/v1/accounts/${id}`],
      (id: string) => ['GET', `/api/v1/accounts/${id}/transactions`],
      (id: string) => ['POST', `/api/v1/accounts/${id}/deposits`],
      (id: string) => ['GET', `/api/v1/service-requests/${id}`],
      (id: string) => ['POST', `/api/v1/service-requests/${id}/cancel`],
      (id: string) => ['POST', `/api/v1/service-requests/${id}/claim`],
      (id: string) => ['POST', `/api/v1/admin/users/${id}/unlock`],
      (id: string) => ['DELETE', `/api/v1/auth/sessions/${id}`],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(nastyString, fc.uuid().map((u) => u.toUpperCase() + 'x'), fc.constantFrom('0', '-1', 'null', 'undefined')), async (path, id) => {
        const [method, url] = path(encode(id).slice(0, 4_000));
        const token = /admin|claim/.test(url) ? (/claim/.test(url) ? employee.accessToken : admin.accessToken) : alice.accessToken;
        let call = method === 'GET' ? t.http().get(url) : method === 'DELETE' ? t.http().delete(url) : t.http().post(url).send({ amount: 100 });
        call = call.set(bearer(token)).set('X-Admin-Key', 'not-the-key');
        expectProblem(await call, `${method} ${url.replace(/\/[^/]*$/, '/…')}`, `id ${JSON.stringify(id).slice(0, 40)}`);
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('hostile list queries are answered 200 or refused with a 4xx problem document, never a 5xx', async () => {
    const lists = [
      { path: () => `/api/v1/accounts/${alice.accountId}/transactions`, token: () => alice.accessToken },
      { path: () => '/api/v1/service-requests', token: () => employee.accessToken },
      { path: () => '/api/v1/events', token: () => alice.accessToken },
      { path: () => '/api/v1/admin/security-events', token: () => admin.accessToken },
      { path: () => '/api/v1/admin/users', token: () => admin.accessToken },
      { path: () => '/api/v1/admin/transactions', token: () => admin.accessToken },
    ];
    const value = fc.oneof(nastyString, fc.constantFrom(...BAD_NUMBERS.map(String), '1e3', '20.5', '', '100000000000000000000'), fc.integer().map(String));
    const key = fc.oneof(fc.constantFrom('limit', 'cursor', 'after', 'status', 'type', 'q', 'role', 'limit[]', 'limit[$gt]', '__proto__'), nastyString);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...lists), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }), async (list, pairs) => {
        const query = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
        const response = await t.http().get(`${list.path()}?${query}`).set(bearer(list.token()));
        if (response.status === 200) return;
        expectProblem(response, `GET ${list.path()}`, `?${query.slice(0, 80)}`);
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('forged cursors that look almost right are refused, not passed to PostgreSQL', async () => {
    const forged = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [forged(`id:${'a'.repeat(36)}`), forged(`id:${'-'.repeat(36)}`), forged('seq:99999999999999999999')]) {
      for (const path of ['/api/v1/admin/users', '/api/v1/admin/transactions', '/api/v1/admin/security-events']) {
        expectProblem(await t.http().get(`${path}?cursor=${cursor}`).set(bearer(admin.accessToken)), `GET ${path}`, `cursor ${cursor}`);
      }
    }
  });

  it('afterwards: not one row changed, the ledger balanced, Object.prototype untouched', async () => {
    expect(answers.length).toBeGreaterThan(500);
    expect(answers.some((a) => a.status === 413)).toBe(true);
    expect(await digest()).toBe(digestBefore);
    const check = await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200);
    expect(check.body.balanced).toBe(true);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
