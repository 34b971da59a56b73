import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { TestApp, TEST_PASSWORD, uniqueEmail } from '../../../test/support/test-app';

/** Every bad input gets a 4xx problem document with a stable code, and writes nothing. */
describe('errors and validation (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const valid = () => ({ email: uniqueEmail('valid'), password: TEST_PASSWORD, fullName: 'Val Idation', pin: '1234' });
  const usersWith = async (email: unknown) =>
    typeof email === 'string' ? (await t.sql<{ n: number }>('select count(*)::int as n from users where email = lower(?)', [email]))[0].n : 0;

  const cases: Array<[string, (body: Record<string, unknown>) => unknown, string[]]> = [
    ['a missing field', ({ fullName: _omit, ...rest }) => rest, ['fullName']],
    ['a wrong type', (body) => ({ ...body, fullName: 42 }), ['fullName']],
    ['an unknown field', (body) => ({ ...body, role: 'admin' }), ['']],
    ['an email that is not one', (body) => ({ ...body, email: 'not-an-email' }), ['email']],
    ['a short password', (body) => ({ ...body, password: 'short' }), ['password']],
    ['a PIN that is not 4 digits', (body) => ({ ...body, pin: '12a4' }), ['pin']],
    ['a numeric PIN', (body) => ({ ...body, pin: 1234 }), ['pin']],
    ['a fractional initial deposit', (body) => ({ ...body, initialDeposit: 10.5 }), ['initialDeposit']],
    ['a zero initial deposit', (body) => ({ ...body, initialDeposit: 0 }), ['initialDeposit']],
    ['a huge initial deposit', (body) => ({ ...body, initialDeposit: 100_000_000_001 }), ['initialDeposit']],
    ['a string initial deposit', (body) => ({ ...body, initialDeposit: '100' }), ['initialDeposit']],
    ['an array body', () => [1, 2], ['']],
  ];

  it.each(cases)('register with %s → 400 VALIDATION_FAILED naming the path, no row', async (_label, mutate, paths) => {
    const base = valid();
    const body = mutate(base) as Record<string, unknown>;
    const response = await t.http().post('/api/v1/auth/register').send(body as object).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request', type: expect.any(String), detail: expect.any(String) });
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(paths));
    expect(await usersWith(base.email)).toBe(0);
  });

  it('names every unknown field', async () => {
    const response = await t.http().post('/api/v1/auth/register').send({ ...valid(), isAdmin: true, balance: 1e9 }).expect(400);
    expect(response.body.errors).toEqual([{ path: '', message: expect.stringMatching(/isAdmin.*balance|balance.*isAdmin/) }]);
  });

  it('malformed JSON → 400 problem document, not 500', async () => {
    const email = uniqueEmail('malformed');
    const response = await t.http().post('/api/v1/auth/register').set('Content-Type', 'application/json').send(`{"email":"${email}", "password":`).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(await usersWith(email)).toBe(0);
  });

  it('a body over 100 kB → 413 problem document, no row', async () => {
    const email = uniqueEmail('oversized');
    const response = await t.http().post('/api/v1/auth/register').send({ ...valid(), email, fullName: 'x'.repeat(110 * 1024) }).expect(413);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 413 });
    expect(await usersWith(email)).toBe(0);
  });

  it('a body that is not JSON → 415 UNSUPPORTED_MEDIA_TYPE problem document, not read at all', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const response = await t.http().post('/api/v1/auth/login').set('Content-Type', type).send('email=a@b.c').expect(415);
      expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('a compressed JSON body is read (gzip, deflate, br); one that does not decompress is 400, an unknown encoding 415', async () => {
    // superagent would JSON-encode a Buffer under a JSON content type: send the bytes as they are.
    const compressed = (encoding: string, bytes: Buffer) =>
      t
        .http()
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .serialize((body: Buffer) => body as unknown as string)
        .send(bytes);
    const email = uniqueEmail('gzip');
    const body = Buffer.from(JSON.stringify({ ...valid(), email }));
    for (const [encoding, compress] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      const response = await compressed(encoding, compress(JSON.stringify({ email, password: 'wrong-password-123' })));
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_CREDENTIALS');
    }
    const registered = await t.http().post('/api/v1/auth/register').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize((bytes: Buffer) => bytes as unknown as string).send(gzipSync(body));
    expect(registered.status).toBe(201);
    expect(await usersWith(email)).toBe(1);
    const garbage = await compressed('gzip', Buffer.from('not gzip at all')).expect(400);
    expect(garbage.body.code).toBe('VALIDATION_FAILED');
    const unknown = await compressed('zstd', body).expect(415);
    expect(unknown.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // A compression bomb: small on the wire, over the limit once decompressed.
    const bomb = gzipSync(Buffer.from(JSON.stringify({ email, password: 'x'.repeat(200 * 1024) })));
    expect(bomb.length).toBeLessThan(10 * 1024);
    await compressed('gzip', bomb).expect(413);
  });

  it('unknown routes → 404 NOT_FOUND problem document', async () => {
    for (const path of ['/api/v1/no-such-thing', '/api/v1/accounts/x/y/z']) {
      const response = await t.http().get(path).expect(404);
      expect(response.body).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
  });

  it('validates the query of a list and accepts the defaults', async () => {
    const customer = await t.newCustomer();
    const response = await t.http().get('/api/v1/accounts').set('Authorization', `Bearer ${customer.accessToken}`).expect(200);
    expect(response.body.items).toHaveLength(1);
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const echoed = await t.http().get('/api/v1/no-such-thing').set('X-Request-Id', 'trace-123').expect(404);
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const invented = await t.http().get('/api/v1/no-such-thing').set('X-Request-Id', 'bad id with spaces <script>').expect(404);
    expect(invented.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and no x-powered-by', async () => {
    const response = await t.http().get('/health/live').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
