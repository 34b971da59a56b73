#!/usr/bin/env node
// Takes the README's screenshots: docs/screenshots/{customer,employee,admin}.png at 1280×800.
// Run after `npm run build`: `node scripts/screenshots.mjs`. It starts the platform as `npm run demo`
// does (scripts/start-platform.mjs --demo) on a database and Redis key prefix of its own, gives the
// demo users a little history over REST, signs in with the logins the platform prints, and removes
// everything it made at the end — also on failure or Ctrl+C.
// Debian's Chromium drives the pages (CHROMIUM_PATH to use another); playwright-core cannot download one here.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import pg from 'pg';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'docs/screenshots');
const HOST = '127.0.0.1';
const POSTGRES_SERVER_URL = process.env.SCREENSHOTS_POSTGRES_URL ?? `postgres://postgres@${HOST}:5432`;
const REDIS_URL = process.env.SCREENSHOTS_REDIS_URL ?? `redis://${HOST}:6379`;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };

const suffix = randomBytes(4).toString('hex');
const database = `bankingcore_screenshots_${suffix}`;
const redisPrefix = `bankingcore-screenshots:${suffix}:`;
let platform;
let platformOutput = '';
let browser;
let cleaning;

const log = (message) => process.stderr.write(`[screenshots] ${message}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.on('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** The launcher in a process group of its own, so a launcher that will not stop takes its children with it. */
async function startPlatform(port) {
  platform = spawn(process.execPath, [join(ROOT, 'scripts/start-platform.mjs'), '--demo'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST,
      DATABASE_URL: `${POSTGRES_SERVER_URL}/${database}`,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      LOG_LEVEL: 'warn',
    },
  });
  platform.stdout.on('data', (chunk) => (platformOutput += chunk));
  platform.stderr.on('data', (chunk) => (platformOutput += chunk));
  const deadline = Date.now() + 90_000;
  while (!/BankingCore is ready at/.test(platformOutput)) {
    if (platform.exitCode !== null || platform.signalCode !== null) throw new Error(`the platform exited:\n${platformOutput.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`the platform was not ready in 90 s:\n${platformOutput.slice(-3000)}`);
    await sleep(200);
  }
}

/** The logins the demo banner printed: role → {email, password}. */
function printedLogins() {
  const logins = {};
  for (const match of platformOutput.matchAll(/^ {2}(customer|employee|admin) +(\S+@\S+) +(\S+)/gm)) {
    const [, role, email, password] = match;
    (logins[role] ??= []).push({ email, password });
  }
  if (!logins.customer?.length || !logins.employee?.length || !logins.admin?.length) throw new Error(`no demo logins printed:\n${platformOutput.slice(-3000)}`);
  return logins;
}

function api(port) {
  return async (method, path, { body, token, headers = {} } = {}) => {
    const response = await fetch(`http://${HOST}:${port}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** A little history so the dashboards are not empty: payments both ways, requests in the queue, a lockout on the feed. */
async function seed(call, logins) {
  const expect = (result, status, what) => {
    if (result.status !== status) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };
  const signIn = async ({ email, password }) => expect(await call('POST', '/auth/login', { body: { email, password } }), 200, `login ${email}`).accessToken;
  const [alice, bob] = logins.customer;
  const [aliceToken, bobToken, employeeToken] = await Promise.all([signIn(alice), signIn(bob), signIn(logins.employee[0])]);
  const [aliceAccount] = expect(await call('GET', '/accounts', { token: aliceToken }), 200, 'accounts').items;
  const [bobAccount] = expect(await call('GET', '/accounts', { token: bobToken }), 200, 'accounts').items;
  const money = (token, path, body) => call('POST', path, { token, body, headers: { 'idempotency-key': randomUUID() } });

  const moves = [
    [bobToken, '/transfers', { fromAccountId: bobAccount.id, toAccountNumber: aliceAccount.number, amount: 45_000, description: 'Rent share' }],
    [aliceToken, `/accounts/${aliceAccount.id}/deposits`, { amount: 180_000, description: 'Salary' }],
    [aliceToken, '/transfers', { fromAccountId: aliceAccount.id, toAccountNumber: bobAccount.number, amount: 6_250, description: 'Dinner' }],
    [aliceToken, `/accounts/${aliceAccount.id}/withdrawals`, { amount: 20_000, pin: '1234', description: 'Cash machine' }],
    [aliceToken, '/transfers', { fromAccountId: aliceAccount.id, toAccountNumber: bobAccount.number, amount: 12_999, description: 'Concert tickets' }],
    [bobToken, '/transfers', { fromAccountId: bobAccount.id, toAccountNumber: aliceAccount.number, amount: 3_500, description: 'Coffee' }],
  ];
  for (const [token, path, body] of moves) expect(await money(token, path, body), 201, `${path} ${body.description}`);

  const file = async (token, body) => expect(await call('POST', '/service-requests', { token, body }), 202, `request ${body.type}`);
  await file(aliceToken, { type: 'limit_increase', accountId: aliceAccount.id, details: { dailyLimit: 2_000_000 } });
  const pinReset = await file(bobToken, { type: 'card_pin_reset', accountId: bobAccount.id, details: {} });
  await file(bobToken, { type: 'kyc_update', details: { address: '12 Harbour Street, Portsmouth', phone: '+44 20 7946 0000' } });
  // The worker's triage moves them to pending_review; the employee then claims one of them.
  for (let i = 0; ; i++) {
    const queue = expect(await call('GET', '/service-requests?status=pending_review', { token: employeeToken }), 200, 'queue').items;
    if (queue.length >= 3) break;
    if (i > 100) throw new Error('the requests never reached pending_review');
    await sleep(100);
  }
  expect(await call('POST', `/service-requests/${pinReset.id}/claim`, { token: employeeToken }), 200, 'claim');

  // Someone guesses a new customer's password from a documentation address until the account locks.
  const carol = { email: 'carol@example.com', password: 'carol-long-password', fullName: 'Carol Chen', pin: '2468', initialDeposit: 75_000 };
  expect(await call('POST', '/auth/register', { body: carol }), 201, 'register Carol');
  for (let i = 0; i < 5; i++) {
    const guess = await call('POST', '/auth/login', { body: { email: carol.email, password: `guess-number-${i}-wrong` }, headers: { 'x-forwarded-for': '203.0.113.77' } });
    if (guess.status !== 401 && guess.status !== 423) throw new Error(`a wrong password answered ${guess.status}`);
  }
  await call('POST', '/auth/login', { body: { email: bob.email, password: 'not-bobs-password' }, headers: { 'x-forwarded-for': '198.51.100.23' } });
}

async function signInAs(page, baseUrl, { email, password }, view) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(view).waitFor();
  await page.getByText('Live', { exact: true }).first().waitFor();
}

async function shoot(baseUrl, name, login, view, ready) {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC' });
  try {
    const page = await context.newPage();
    await signInAs(page, baseUrl, login, view);
    await ready(page);
    await sleep(500); // the balance chart and the last fetches settle
    const path = join(OUT_DIR, `${name}.png`);
    await page.screenshot({ path });
    log(`wrote ${path}`);
  } finally {
    await context.close();
  }
}

async function main() {
  const port = await freePort();
  log(`starting the platform on port ${port} (database ${database})`);
  await startPlatform(port);
  const logins = printedLogins();
  await seed(api(port), logins);
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  mkdirSync(OUT_DIR, { recursive: true });
  const baseUrl = `http://${HOST}:${port}`;
  await shoot(baseUrl, 'customer', logins.customer[0], 'customer-dashboard', (page) => page.locator('account-history tbody tr', { hasText: 'Concert tickets' }).waitFor());
  await shoot(baseUrl, 'employee', logins.employee[0], 'employee-queue', (page) => page.locator('employee-queue li', { hasText: 'claimed by you' }).waitFor());
  await shoot(baseUrl, 'admin', logins.admin[0], 'admin-console', (page) => page.locator('admin-console li[data-event-type="account.locked"]').first().waitFor());
}

function stopPlatform() {
  return new Promise((done) => {
    if (!platform || platform.exitCode !== null || platform.signalCode !== null) return done();
    platform.once('exit', done);
    platform.kill('SIGTERM'); // the launcher forwards it to the api and the worker and exits after them
    setTimeout(() => {
      try {
        process.kill(-platform.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 20_000).unref();
  });
}

function cleanup() {
  cleaning ??= (async () => {
    await browser?.close().catch(() => {});
    await stopPlatform();
    const client = new pg.Client({ connectionString: `${POSTGRES_SERVER_URL}/postgres`, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query(`drop database if exists "${database}" with (force)`);
    } catch (error) {
      log(`could not drop ${database}: ${error.message}`);
    } finally {
      await client.end().catch(() => {});
    }
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (error) {
      log(`could not remove the Redis keys under ${redisPrefix}: ${error.message}`);
    } finally {
      redis.disconnect();
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void cleanup().finally(() => process.exit(130)));

main()
  .then(async () => {
    await cleanup();
    process.exit(0);
  })
  .catch(async (error) => {
    log(`failed: ${error.stack ?? error}`);
    await cleanup();
    process.exit(1);
  });
