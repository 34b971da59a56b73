import { TestApp } from '../../../test/support/test-app';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'p'.repeat(48),
  ADMIN_KEY: 'k'.repeat(32),
  ADMIN_PASSWORD: 'a-real-admin-password',
  RATE_LIMITS: 'on',
  CORS_ORIGINS: 'https://bank.example',
  METRICS_TOKEN: 'm'.repeat(40),
};

/** The HTTP edge (DESIGN.md "Security"): helmet's headers, CORS closed unless configured. */
describe('security headers and CORS', () => {
  let development: TestApp;
  let production: TestApp;
  beforeAll(async () => {
    [development, production] = await Promise.all([TestApp.start(), TestApp.start(PRODUCTION)]);
  });
  afterAll(() => Promise.all([development?.close(), production?.close()]));

  it('a CSP that allows no inline or foreign script, no framing, nosniff, no referrer, and no x-powered-by, on the api and the web app alike', async () => {
    for (const path of ['/api/v1/no-such-route', '/', '/health/live']) {
      const response = await development.http().get(path);
      const csp = String(response.headers['content-security-policy']);
      const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1];
      expect(scriptSrc).toBe("'self'");
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('HSTS and upgrade-insecure-requests only in production (development runs on plain http)', async () => {
    const plain = await development.http().get('/health/live');
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(plain.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    const secure = await production.http().get('/health/live');
    expect(secure.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    const hsts = String(secure.headers['strict-transport-security']);
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(180 * 24 * 3600);
  });

  it('CORS: closed by default; only the configured origins get the credentials-bearing answer', async () => {
    const preflight = (t: TestApp, origin: string) =>
      t.http().options('/api/v1/transfers').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');
    const closed = await preflight(development, 'https://evil.example');
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();
    expect(closed.headers['access-control-allow-credentials']).toBeUndefined();

    const allowed = await preflight(production, 'https://bank.example');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://bank.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const foreign = await preflight(production, 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
