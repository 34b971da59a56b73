import { TestApp } from '../../../test/support/test-app';

const METRICS_TOKEN = 'm'.repeat(40);
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'p'.repeat(48),
  ADMIN_KEY: 'k'.repeat(32),
  ADMIN_PASSWORD: 'a-real-admin-password',
  RATE_LIMITS: 'on',
  METRICS_TOKEN,
};

/** Exposed internals (issue 19): in production `/metrics` answers only the scraper's bearer token. */
describe('who may scrape /metrics (HTTP)', () => {
  let production: TestApp;
  beforeAll(async () => {
    production = await TestApp.start(PRODUCTION);
  });
  afterAll(() => production?.close());

  it('in production, without the token or with a wrong one → 401 problem document with WWW-Authenticate; with it → the Prometheus text', async () => {
    for (const path of ['/metrics', '/api/v1/metrics']) {
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN]) {
        const call = production.http().get(path);
        if (authorization) call.set('Authorization', authorization);
        const refused = await call;
        expect({ path, authorization, status: refused.status }).toEqual({ path, authorization, status: 401 });
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.body.code).toBe('TOKEN_INVALID');
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(refused.text).not.toMatch(/bankingcore_/);
      }
      const scraped = await production.http().get(path).set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(scraped.text).toMatch(/^# HELP bankingcore_/m);
    }
  });
});
