import http from 'node:http';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { MIGRATIONS } from '../../libs/db/src/migrations/migration-list';
import { freePort, RunningProcess } from '../support/processes';
import { REDIS_URL, testRedisPrefix, uniqueDatabaseUrl } from '../support/test-env';

const API = 'dist/apps/api/src/main.js';
const WORKER = 'dist/apps/worker/src/main.js';

describe('start-up of each built app alone', () => {
  it('refuses to start the api in production with the default secrets, naming them', async () => {
    const api = new RunningProcess([API], { NODE_ENV: 'production', JWT_SECRET: 'dev-only-jwt-secret-not-for-production-use-000000', ADMIN_KEY: 'x'.repeat(32), ADMIN_PASSWORD: 'a-real-admin-password' });
    const exit = await api.exited;
    expect(exit.code).toBe(1);
    expect(api.stderr).toMatch(/JWT_SECRET: must be set to a real secret in production/);
    expect(api.stderr).not.toMatch(/ADMIN_KEY|ADMIN_PASSWORD/);
  });

  it('refuses to start the worker in production with no secrets at all', async () => {
    const worker = new RunningProcess([WORKER], { NODE_ENV: 'production' });
    expect((await worker.exited).code).toBe(1);
    for (const name of ['JWT_SECRET', 'ADMIN_KEY', 'ADMIN_PASSWORD', 'METRICS_TOKEN']) expect(worker.stderr).toContain(name);
  });

  it('stops on an invalid variable with a message naming it', async () => {
    const api = new RunningProcess([API], { PORT: 'eighty', REDIS_URL: 'localhost:6379' });
    expect((await api.exited).code).toBe(1);
    expect(api.stderr).toMatch(/PORT:/);
    expect(api.stderr).toMatch(/REDIS_URL:/);
  });

  it('starts the worker alone: it creates and migrates its database, connects, idles, and stops on SIGTERM', async () => {
    const databaseUrl = uniqueDatabaseUrl('worker');
    const prefix = `${testRedisPrefix()}worker-${Date.now()}:`;
    const worker = new RunningProcess([WORKER], { DATABASE_URL: databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: prefix });
    try {
      await worker.waitFor(/worker ready/);
      expect(worker.output).toContain(`applied ${MIGRATIONS.length} migration(s)`);
      // The container health check finds this host's worker heartbeat in Redis...
      const check = new RunningProcess(['dist/apps/worker/src/healthcheck.js'], { REDIS_URL, REDIS_KEY_PREFIX: prefix });
      expect((await check.exited).code).toBe(0);
      expect((await worker.stop()).code).toBe(0);
      // ...and fails once the worker is gone.
      const after = new RunningProcess(['dist/apps/worker/src/healthcheck.js'], { REDIS_URL, REDIS_KEY_PREFIX: prefix });
      expect((await after.exited).code).toBe(1);
      expect(worker.output).toMatch(/worker stopped/);
    } finally {
      await worker.stop();
      await dropDatabase(databaseUrl);
    }
  });

  it('starts the api alone and finishes an in-flight request before exiting on SIGTERM', async () => {
    const databaseUrl = uniqueDatabaseUrl('api');
    const port = await freePort();
    const api = new RunningProcess([API], { DATABASE_URL: databaseUrl, REDIS_URL, PORT: String(port), READY_REQUIRES_WORKER: 'false', REDIS_KEY_PREFIX: `${testRedisPrefix()}api-${port}:` });
    try {
      await api.waitFor(/api listening/);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      // Registration hashes a password and a PIN: long enough to be in flight when SIGTERM lands.
      const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `inflight-${port}@example.com`, password: 'a-long-password', fullName: 'In Flight', pin: '1357' }),
      });
      await new Promise((r) => setTimeout(r, 20));
      const exit = api.stop();
      expect((await inFlight).status).toBe(201);
      expect((await exit).code).toBe(0);
      expect(api.output).toMatch(/api stopped/);
    } finally {
      await api.stop();
      await dropDatabase(databaseUrl);
    }
  });

  it('a client keeping its connection alive and busy does not hold a stopping api open: after SIGTERM its answers close the connection', async () => {
    const databaseUrl = uniqueDatabaseUrl('keepalive');
    const port = await freePort();
    const api = new RunningProcess([API], { DATABASE_URL: databaseUrl, REDIS_URL, PORT: String(port), READY_REQUIRES_WORKER: 'false', REDIS_KEY_PREFIX: `${testRedisPrefix()}keepalive-${port}:` });
    // One kept-alive connection for everything below, as a balancer's health checks or nginx's upstream pool use.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string, body?: object) =>
      new Promise<{ status: number; connection: string } | null>((resolve) => {
        const request = http.request({ host: '127.0.0.1', port, path, method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, connection: String(response.headers.connection) }));
        });
        request.on('error', () => resolve(null));
        request.end(body ? JSON.stringify(body) : undefined);
      });
    try {
      await api.waitFor(/api listening/);
      expect(await call('GET', '/health/live')).toEqual({ status: 200, connection: 'keep-alive' });
      // In flight when SIGTERM lands, so the connection is busy, not idle, when the server closes.
      const inFlight = call('POST', '/api/v1/auth/register', { email: `keepalive-${port}@example.com`, password: 'a-long-password', fullName: 'Kept Alive', pin: '1357' });
      await new Promise((r) => setTimeout(r, 20));
      api.kill('SIGTERM');
      let stopped = false;
      const answers: Array<{ status: number; connection: string } | null> = [];
      const probing = (async () => {
        while (!stopped) {
          answers.push(await call('GET', '/health/live'));
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      expect(await inFlight).toEqual({ status: 201, connection: 'close' });
      const exit = await Promise.race([api.exited, new Promise((done) => setTimeout(() => done('still running after 8 s'), 8_000))]);
      stopped = true;
      await probing;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(answers.at(-1)).toBeNull(); // refused at last: the process is gone
    } finally {
      agent.destroy();
      await api.stop();
      await dropDatabase(databaseUrl);
    }
  });
});
