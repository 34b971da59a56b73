import { TestApp } from '../../../test/support/test-app';
import { testRedisPrefix } from '../../../test/support/test-env';

describe('health and operations (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('answers liveness at /health/live and under the api prefix', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    await t.http().get('/api/v1/health/live').expect(200, { status: 'ok' });
  });

  it('reports PostgreSQL and Redis up at /health/ready', async () => {
    const response = await t.http().get('/health/ready').expect(200);
    expect(response.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('is not ready while no worker reports, when readiness waits for one', async () => {
    const strict = await TestApp.start({ READY_REQUIRES_WORKER: 'true', REDIS_KEY_PREFIX: `${testRedisPrefix()}no-worker-${Date.now()}:` });
    try {
      const response = await strict.http().get('/health/ready').expect(503);
      expect(response.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', checks: { worker: { status: 'down' } } });
    } finally {
      await strict.close();
    }
  });

  it('serves the OpenAPI document generated from the code, with the auth routes and their schemas', async () => {
    const response = await t.http().get('/api/docs-json').expect(200);
    expect(response.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/me', '/api/v1/admin/staff']) {
      expect(Object.keys(response.body.paths)).toContain(path);
    }
    const register = response.body.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema;
    const schemaName = String(register.$ref).split('/').pop()!;
    expect(response.body.components.schemas[schemaName].required).toEqual(expect.arrayContaining(['email', 'password', 'fullName', 'pin']));
    await t.http().get('/api/docs').expect(200).expect('Content-Type', /html/);
  });

  it('serves the web placeholder at /', async () => {
    const response = await t.http().get('/').expect(200);
    expect(response.text).toContain('BankingCore');
  });
});
