#!/usr/bin/env node
// Benchmark (not a test) of money transfers through the built api, beside the bare reference
// (bench/bare-server.mjs: node:http + pg, the same money_execute and group commit) and pgbench on
// the same machine. One run sets up ONE throwaway platform — a fresh database, N api processes
// (dist/, built by `npm run bench`), customers registered and logged in over HTTP once — and runs
// these scenarios on it, each a warm-up and then T measured seconds of C keep-alive clients:
//
//   spread            transfers between random different customers among all of them
//   contention        the same among 32 of them only
//   hot-account       every transfer from ONE source to a random other customer (a payroll; its
//                     daily limit is raised and its funds topped up first, so nothing is refused)
//   bare-spread, bare-contention, bare-hot-account
//                     the same three shapes against the bare reference (same database, same tokens)
//
// After each scenario: the admin ledger check and a cross-check in the database (every 201 in the
// ledger exactly once, nothing else committed, money conserved). Then the api stops and pgbench
// runs on a second fresh database: TPC-B (-i -s 10, then -c C -j 2 -T T), paired with spread,
// contention and bare-spread/-contention, and bench/pgbench-hot-account.sql, paired with the
// hot-account shapes. stdout gets one JSON document per scenario (transfers/s, latency, errors,
// CPU ms per transfer, sessions idle in transaction, commands per batch, ratioToPgbench,
// ratioToBare, targets, targetMet); progress goes to stderr. Everything it creates (processes,
// both databases, the Redis keys under its prefix) is removed at the end, also on failure, Ctrl+C
// or the overall time limit. All traffic goes to 127.0.0.1.
//
//   node bench/transfers-bench.mjs [--scenarios spread,contention,hot-account,bare-spread,...]
//        [--no-bare] [--clients 64] [--seconds 15] [--warmup 2] [--api-processes 2] [--customers 200]
//        [--max-amount 100] [--log-level warn] [--no-pgbench] [--timeout <s>] [--cpu-prof <dir>]
//   (npm run -s bench runs it with the defaults after the build; MONEY_BATCHES_IN_FLIGHT and
//   MONEY_BATCH_MAX in the environment are passed to the api and the bare reference alike)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Redis from 'ioredis';
import { cpuSnapshot, cpuSplit } from './proc-cpu.mjs';
import { initPgbench, runHotAccount, runTpcb } from './pgbench.mjs';
import {
  HOST,
  REDIS_URL,
  adminQuery,
  expectStatus,
  freePort,
  httpRequest,
  idleInTransactionSessions,
  inParallel,
  parseJson,
  percentile,
  progress,
  prometheusValue,
  quoteIdentifier,
  round,
  sleep,
  startDbSampler,
} from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const API_ENTRY = resolve(ROOT, 'dist/apps/api/src/main.js');
const BARE_ENTRY = resolve(ROOT, 'bench/bare-server.mjs');
const ADMIN = { email: 'admin@bankingcore.local', password: 'dev-only-admin-password' };
const INITIAL_DEPOSIT = 100_000_000;
const CONTENTION_ACCOUNTS = 32;
// The hot-account source may spend this much a day (well over anything a run can send) and is
// topped up to afford this many transfers a second of the largest amount, for every run on it.
const HOT_ACCOUNT_DAILY_LIMIT = 1e15;
const HOT_ACCOUNT_AFFORDS_PER_SECOND = 5_000;

/** Issue 14's targets; a document's `targetMet` says for each whether it holds (null: not applicable). */
const TARGETS = {
  ratioToPgbench: { atLeast: 0.5, of: 'transfers/s ÷ the paired pgbench tps (TPC-B; hot-account shapes: bench/pgbench-hot-account.sql)' },
  p99Ms: { atMost: 150, atClients: 64 },
  apiCpuMsPerTransfer: { atMost: 2, of: 'api processes (api scenarios only)' },
  ratioToBare: { atLeast: 0.6, of: 'transfers/s ÷ the bare reference of the same shape (api scenarios only)' },
  errors: { atMost: 0 },
};

/** Who sends to whom: `pick(customers)` → [sender, receiver], two different customers. */
const SHAPES = {
  spread: {
    describe: (customers) => `transfers between random different customers among all ${customers.length}`,
    pick: (customers) => randomPair(customers, customers.length),
    pgbench: 'tpcb',
  },
  contention: {
    describe: (customers) => `transfers between random different customers among the first ${contentionAccounts(customers)}`,
    pick: (customers) => randomPair(customers, contentionAccounts(customers)),
    pgbench: 'tpcb',
  },
  'hot-account': {
    describe: (customers) => `every transfer from one source (the last customer) to a random one of the other ${customers.length - 1}`,
    pick: (customers) => [customers.at(-1), customers[Math.floor(Math.random() * (customers.length - 1))]],
    pgbench: 'hotAccount',
  },
};
const SCENARIOS = ['spread', 'bare-spread', 'contention', 'bare-contention', 'hot-account', 'bare-hot-account']; // the order they run in
const scenarioServer = (name) => (name.startsWith('bare-') ? 'bare' : 'api');
const scenarioShape = (name) => name.replace(/^bare-/, '');

function contentionAccounts(customers) {
  return Math.min(CONTENTION_ACCOUNTS, customers.length);
}

function randomPair(customers, among) {
  const from = Math.floor(Math.random() * among);
  let to = Math.floor(Math.random() * (among - 1));
  if (to >= from) to++;
  return [customers[from], customers[to]];
}

// ---------------------------------------------------------------------------------------------
// Options

const USAGE =
  'usage: node bench/transfers-bench.mjs [--scenarios a,b,...] [--no-bare] [--clients 64] [--seconds 15] [--warmup 2] [--api-processes 2] ' +
  `[--customers 200] [--max-amount 100] [--log-level warn] [--no-pgbench] [--timeout s] [--cpu-prof dir]\n  scenarios: ${SCENARIOS.join(', ')}\n`;

function parseArgs(argv) {
  const options = { clients: 64, seconds: 15, apiProcesses: 2, customers: 200, warmup: 2, pgbench: true, bare: true, scenarios: SCENARIOS, timeout: undefined, cpuProf: null, maxAmount: 100, logLevel: 'warn' };
  const numeric = { '--clients': 'clients', '--seconds': 'seconds', '--api-processes': 'apiProcesses', '--customers': 'customers', '--warmup': 'warmup', '--timeout': 'timeout', '--max-amount': 'maxAmount' };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split('=', 2);
    if (flag === '--no-pgbench') options.pgbench = false;
    else if (flag === '--no-bare') options.bare = false;
    else if (flag === '--help' || flag === '-h') {
      process.stderr.write(USAGE);
      process.exit(0);
    } else if (flag === '--cpu-prof') {
      // Writes a V8 CPU profile of each api process and of the bare reference into this directory (open in Chrome DevTools).
      options.cpuProf = resolve(value ?? argv[++i] ?? '');
    } else if (flag === '--scenarios') {
      options.scenarios = parseScenarios(value ?? argv[++i] ?? '');
    } else if (flag === '--log-level') {
      // The api's LOG_LEVEL: `info` writes a line per request, to measure what request logging costs.
      options.logLevel = value ?? argv[++i] ?? '';
      if (!['warn', 'info', 'error', 'silent'].includes(options.logLevel)) throw new Error(`--log-level must be warn, info, error or silent, got ${options.logLevel}`);
    } else {
      const key = numeric[flag];
      if (!key) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
      if (value === undefined) value = argv[++i];
      const number = Number(value);
      if (!Number.isFinite(number) || number < 0) throw new Error(`${flag} needs a non-negative number, got ${value}`);
      options[key] = number;
    }
  }
  if (!options.bare) options.scenarios = options.scenarios.filter((name) => scenarioServer(name) === 'api');
  if (options.scenarios.length === 0) throw new Error('no scenario left to run');
  if (!Number.isInteger(options.clients) || options.clients < 1) throw new Error('--clients must be an integer ≥ 1');
  if (!Number.isInteger(options.apiProcesses) || options.apiProcesses < 1 || options.apiProcesses > 8) throw new Error('--api-processes must be 1..8');
  if (!Number.isInteger(options.customers) || options.customers < 3) throw new Error('--customers must be an integer ≥ 3');
  if (options.seconds <= 0) throw new Error('--seconds must be > 0');
  // Amounts are 1..maxAmount minor units: at the default 100 neither funds (1e8 each) nor the
  // daily limit (1e6 per account) refuse anything; raise it to see refusals under load.
  if (!Number.isInteger(options.maxAmount) || options.maxAmount < 1) throw new Error('--max-amount must be an integer ≥ 1');
  options.timeout ??= defaultTimeoutSeconds(options);
  return options;
}

/** In the order they run, whatever order they were named in. */
function parseScenarios(list) {
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return SCENARIOS.filter((name) => names.includes(name));
}

/** Set-up (registration is Argon2-bound), every scenario with its checks, pgbench (init + runs) and clean-up. */
function defaultTimeoutSeconds(options) {
  const scenarios = options.scenarios.length * (options.warmup + options.seconds + 20);
  const pgbench = options.pgbench ? 120 + 2 * (options.seconds + 10) : 0;
  return Math.ceil(180 + options.customers * 0.15 + scenarios + pgbench + 60);
}

// ---------------------------------------------------------------------------------------------
// Resources and their clean-up

const suffix = randomBytes(4).toString('hex');
const appDatabase = `bankingcore_bench_${suffix}`;
const appDatabaseUrl = `postgres://postgres@${HOST}:5432/${appDatabase}`;
const pgbenchDatabase = `bankingcore_bench_${suffix}_pgbench`;
const redisPrefix = `bankingcore-bench:${suffix}:`;
// The api and the bare reference sign and check access tokens with this one secret.
const jwtSecret = `bench-jwt-secret-${randomBytes(24).toString('hex')}`;

const state = {
  apis: [], // { index, port, child, exited, logTail, errorLines, warnLines }
  bare: null, // the same shape as an api
  pgbenchChild: null,
  sql: null, // the bench's own pg.Client on the app database (set-up and cross-checks)
  createdDatabases: new Set(),
  cleanedUp: null,
  stopping: false,
};

function stopChild(child, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function stopServers() {
  state.stopping = true;
  await Promise.all([...state.apis, state.bare].filter(Boolean).map((server) => stopChild(server.child, 10_000)));
}

async function deleteRedisKeys() {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, enableOfflineQueue: false });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

function cleanup() {
  state.cleanedUp ??= (async () => {
    const report = { serversStopped: false, databasesDropped: [], redisKeysDeleted: 0, problems: [] };
    try {
      await stopChild(state.pgbenchChild, 3_000);
      await stopServers();
      report.serversStopped = true;
    } catch (error) {
      report.problems.push(`stopping processes: ${error.message}`);
    }
    await state.sql?.end().catch(() => {});
    for (const name of state.createdDatabases) {
      try {
        await adminQuery(`drop database if exists ${quoteIdentifier(name)} with (force)`);
        report.databasesDropped.push(name);
      } catch (error) {
        report.problems.push(`dropping ${name}: ${error.message}`);
      }
    }
    try {
      report.redisKeysDeleted = await deleteRedisKeys();
    } catch (error) {
      report.problems.push(`deleting Redis keys: ${error.message}`);
    }
    progress(
      `cleaned up: api and bare reference stopped, dropped ${report.databasesDropped.join(', ') || 'no database'}, deleted ${report.redisKeysDeleted} Redis key(s)` +
        (report.problems.length ? `; problems: ${report.problems.join('; ')}` : ''),
    );
    return report;
  })();
  return state.cleanedUp;
}

let aborting = false;
function abort(reason, exitCode) {
  if (aborting) {
    process.stderr.write('second signal: exiting without waiting for the clean-up\n');
    process.exit(exitCode);
  }
  aborting = true;
  state.stopping = true;
  progress(`${reason}; cleaning up`);
  const hardStop = setTimeout(() => process.exit(exitCode), 30_000);
  hardStop.unref();
  cleanup().finally(() => process.exit(exitCode));
}

// ---------------------------------------------------------------------------------------------
// The servers: api processes and the bare reference

/** MONEY_BATCHES_IN_FLIGHT / MONEY_BATCH_MAX from the bench's environment, for the api and the bare reference alike. */
function moneyPathEnv() {
  return Object.fromEntries(['MONEY_BATCHES_IN_FLIGHT', 'MONEY_BATCH_MAX'].filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

/** Spawns a node process, keeps its last lines and counts its error (and warning) log lines. */
function spawnServer(name, entry, env, options) {
  const profiling = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=${name}-${suffix}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profiling, entry], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...moneyPathEnv(), ...env },
  });
  const server = { name, port: Number(env.PORT), child, exited: null, logTail: [], errorLines: { count: 0, samples: [] }, warnLines: 0 };
  const onLine = (line) => {
    if (!line.trim()) return;
    server.logTail.push(line);
    if (server.logTail.length > 40) server.logTail.shift();
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= 50) {
      server.errorLines.count++;
      if (server.errorLines.samples.length < 5) server.errorLines.samples.push(line.slice(0, 1500));
    } else if (level === '40') server.warnLines++;
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      lines.forEach(onLine);
    });
  }
  child.on('exit', (code, signal) => {
    server.exited = signal ?? `code ${code}`;
    if (!state.stopping) progress(`${name} (port ${server.port}) exited unexpectedly (${server.exited}); last output:\n  ${server.logTail.slice(-15).join('\n  ')}`);
  });
  return server;
}

async function startApi(index, options) {
  const api = spawnServer(`api-${index}`, API_ENTRY, {
    DATABASE_URL: appDatabaseUrl,
    REDIS_URL,
    PORT: String(await freePort()),
    HOST,
    LOG_LEVEL: options.logLevel,
    READY_REQUIRES_WORKER: 'false',
    REDIS_KEY_PREFIX: redisPrefix,
    RATE_LIMITS: 'off', // benchmarks measure throughput, not the limits (DESIGN.md)
    NODE_ENV: 'development',
    JWT_SECRET: jwtSecret,
    ACCESS_TOKEN_TTL_S: '3600', // the customers log in once, before every scenario
  }, options);
  state.apis.push(api);
  return api;
}

async function waitReady(server, path, deadlineMs) {
  const agent = new http.Agent({ keepAlive: false });
  while (performance.now() < deadlineMs) {
    if (server.exited) throw new Error(`${server.name} exited during start-up (${server.exited}): ${server.logTail.slice(-10).join(' | ')}`);
    const response = await httpRequest(agent, server.port, 'GET', path, { timeoutMs: 2_000 });
    if (response.status === 200) return;
    await sleep(250);
  }
  throw new Error(`${server.name} not ready within the start-up limit: ${server.logTail.slice(-10).join(' | ')}`);
}

async function startApis(options) {
  // The first process migrates; the others would wait on the migration lock anyway.
  const startDeadline = performance.now() + 90_000;
  const first = await startApi(0, options);
  await waitReady(first, '/health/ready', startDeadline);
  for (let i = 1; i < options.apiProcesses; i++) await startApi(i, options);
  await Promise.all(state.apis.slice(1).map((api) => waitReady(api, '/health/ready', startDeadline)));
  progress(`api ready on port(s) ${state.apis.map((api) => api.port).join(', ')}`);
}

async function startBare(options) {
  state.bare = spawnServer('bare', BARE_ENTRY, { DATABASE_URL: appDatabaseUrl, JWT_SECRET: jwtSecret, PORT: String(await freePort()), HOST }, options);
  await waitReady(state.bare, '/metrics', performance.now() + 30_000);
  progress(`bare reference ready on port ${state.bare.port}`);
}

/** Where a scenario's clients go: the api processes round-robin, or the one bare reference. */
function serversOf(kind) {
  return kind === 'api' ? state.apis : [state.bare];
}

// ---------------------------------------------------------------------------------------------
// Set-up: customers, the hot-account source

async function registerCustomers(options, agents) {
  const password = `bench-password-${suffix}`;
  const indexes = Array.from({ length: options.customers }, (_, i) => i);
  const parallel = Math.max(4, 4 * options.apiProcesses);
  const t0 = performance.now();
  let done = 0;
  const customers = await inParallel(indexes, parallel, async (i) => {
    const api = i % options.apiProcesses;
    const email = `bench.${suffix}.${i}@example.com`;
    const registered = await expectStatus(
      await httpRequest(agents[api], state.apis[api].port, 'POST', '/api/v1/auth/register', {
        body: { email, password, fullName: `Bench Customer ${i}`, pin: '1234', initialDeposit: INITIAL_DEPOSIT },
      }),
      201,
      `register ${email}`,
    );
    if (++done % 50 === 0 || done === options.customers) progress(`registered ${done}/${options.customers} customers`);
    return { email, userId: registered.user.id, accountId: registered.account.id, accountNumber: registered.account.number };
  });
  const registerSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  done = 0;
  await inParallel(customers, parallel, async (customer, i) => {
    const api = i % options.apiProcesses;
    const login = await expectStatus(
      await httpRequest(agents[api], state.apis[api].port, 'POST', '/api/v1/auth/login', { body: { email: customer.email, password } }),
      200,
      `login ${customer.email}`,
    );
    customer.token = login.accessToken;
    if (++done % 100 === 0 || done === options.customers) progress(`logged in ${done}/${options.customers} customers`);
  });
  return { customers, registerPerSecond: round(options.customers / registerSeconds, 1), loginPerSecond: round(options.customers / ((performance.now() - t1) / 1000), 1) };
}

/**
 * Bench set-up by SQL on the bench database: the hot-account source may spend all day, and gets a
 * deposit (through money_execute, so the ledger stays balanced) if its balance could run short.
 * Resolves to the amount deposited.
 */
async function prepareHotAccountSource(options, customers) {
  const source = customers.at(-1);
  const hotRuns = options.scenarios.filter((name) => scenarioShape(name) === 'hot-account').length;
  if (hotRuns === 0) return 0;
  await state.sql.query('update accounts set daily_limit = $2 where id = $1', [source.accountId, HOT_ACCOUNT_DAILY_LIMIT]);
  const needed = options.maxAmount * HOT_ACCOUNT_AFFORDS_PER_SECOND * (options.warmup + options.seconds + 5) * hotRuns;
  const { rows } = await state.sql.query('select balance::bigint::float8 as balance from accounts where id = $1', [source.accountId]);
  const topUp = Math.max(0, Math.ceil(needed - rows[0].balance));
  if (topUp > 0) {
    const command = { n: 1, op: 'deposit', user_id: source.userId, key: null, fingerprint: null, account_id: source.accountId, amount: topUp, description: 'bench: hot-account funds' };
    const { rows: outcome } = await state.sql.query('select money_execute($1::json) as outcomes', [JSON.stringify([command])]);
    if (outcome[0].outcomes[0].status !== 201) throw new Error(`hot-account top-up refused: ${JSON.stringify(outcome[0].outcomes[0])}`);
  }
  progress(`hot-account source ${source.accountNumber}: daily limit ${HOT_ACCOUNT_DAILY_LIMIT}, topped up by ${topUp}`);
  return topUp;
}

// ---------------------------------------------------------------------------------------------
// One scenario: drive, measure, check

/** The sum and count of `bankingcore_money_batch_commands` over the given servers' /metrics. */
async function batchTotals(servers, agent) {
  const totals = { commands: 0, calls: 0 };
  for (const server of servers) {
    const response = await httpRequest(agent, server.port, 'GET', '/metrics', { timeoutMs: 10_000 });
    const commands = prometheusValue(response.text, 'bankingcore_money_batch_commands_sum');
    const calls = prometheusValue(response.text, 'bankingcore_money_batch_commands_count');
    if (response.status !== 200 || commands === null || calls === null) return null;
    totals.commands += commands;
    totals.calls += calls;
  }
  return totals;
}

function averageBatch(before, after) {
  if (!before || !after) return null;
  const calls = after.calls - before.calls;
  return { commandsPerCall: calls > 0 ? round((after.commands - before.commands) / calls, 2) : null, calls, commands: after.commands - before.commands };
}

/** What the clients saw: counts, latencies, statuses, the transaction id of every 201 (warm-up included). */
function newTally() {
  return { latencies: [], statuses: new Map(), errorSamples: new Map(), committedIds: [], warmupRequests: 0, replayed: 0, lastCompletedAt: 0 };
}

function recordAnswer(tally, response, latency, measured) {
  if (response.status === 201) tally.committedIds.push(parseJson(response.text)?.transaction?.id ?? null);
  if (!measured) {
    tally.warmupRequests++;
    return;
  }
  tally.latencies.push(latency);
  tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
  if (response.headers?.['idempotent-replayed']) tally.replayed++;
  if (response.status !== 201) {
    const samples = tally.errorSamples.get(response.status) ?? [];
    if (samples.length < 3) samples.push(parseJson(response.text));
    tally.errorSamples.set(response.status, samples);
  }
}

/** A progress line a second: the last second's answers, and the measured ones so far. */
function startTicker(label, options, tally, measureFrom) {
  let lastOk = 0;
  let lastAll = 0;
  let lastLatencies = 0;
  return setInterval(() => {
    const now = performance.now();
    const ok = tally.committedIds.length;
    const all = tally.latencies.length + tally.warmupRequests;
    const recent = tally.latencies.slice(lastLatencies).sort((a, b) => a - b);
    const errors = [...tally.statuses.entries()].reduce((sum, [status, n]) => (status === 201 ? sum : sum + n), 0);
    progress(
      `${label} ${now < measureFrom ? 'warm-up' : 'measuring'} ${Math.max(0, (now - measureFrom) / 1000).toFixed(0).padStart(3)}/${options.seconds}s: ` +
        `last second ${ok - lastOk} ok of ${all - lastAll}, p50 ${round(percentile(recent, 50)) ?? '-'} ms, p99 ${round(percentile(recent, 99)) ?? '-'} ms | measured so far ${tally.statuses.get(201) ?? 0} ok, ${errors} errors`,
    );
    [lastOk, lastAll, lastLatencies] = [ok, all, tally.latencies.length];
  }, 1000);
}

/** C closed-loop clients posting transfers picked by `shape` for warm-up + T seconds; the measured window's figures. */
async function driveTransfers(label, options, servers, agents, shape, customers) {
  const measureFrom = performance.now() + options.warmup * 1000;
  const stopAt = measureFrom + options.seconds * 1000;
  const tally = newTally();
  const pids = servers.map((server) => server.child.pid);
  const metricsAgent = new http.Agent({ keepAlive: false });
  let measuredWindow = null; // { cpu, batches, stopSampler } at the start of the measured window
  const startWindow = setTimeout(async () => {
    const cpu = cpuSnapshot(pids);
    measuredWindow = { cpu, stopSampler: startDbSampler(appDatabase), batches: null };
    measuredWindow.batches = batchTotals(servers, metricsAgent);
  }, options.warmup * 1000);
  const ticker = startTicker(label, options, tally, measureFrom);
  let keyCounter = 0;

  const client = async (clientIndex) => {
    const server = servers[clientIndex % servers.length];
    const agent = agents[clientIndex % servers.length];
    while (!aborting) {
      if (server.exited) throw new Error(`${server.name} exited during the run (${server.exited})`);
      const startedAt = performance.now();
      if (startedAt >= stopAt) return;
      const [sender, receiver] = shape.pick(customers);
      const response = await httpRequest(agent, server.port, 'POST', '/api/v1/transfers', {
        body: { fromAccountId: sender.accountId, toAccountNumber: receiver.accountNumber, amount: 1 + Math.floor(Math.random() * options.maxAmount), description: 'bench' },
        headers: { authorization: `Bearer ${sender.token}`, 'idempotency-key': `bench-${suffix}-${label}-${clientIndex}-${++keyCounter}` },
      });
      const endedAt = performance.now();
      const measured = startedAt >= measureFrom;
      if (measured) tally.lastCompletedAt = Math.max(tally.lastCompletedAt, endedAt);
      recordAnswer(tally, response, endedAt - startedAt, measured);
    }
  };

  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(ticker);
    clearTimeout(startWindow);
  }
  if (!measuredWindow) throw new Error(`${label}: the measured window never started (is --warmup shorter than the run?)`);
  const cpuAfter = cpuSnapshot(pids);
  const batchesAfter = await batchTotals(servers, metricsAgent);
  return { tally, measureFrom, cpu: cpuSplit(measuredWindow.cpu, cpuAfter, servers === state.apis ? 'api' : 'bare'), batches: averageBatch(await measuredWindow.batches, batchesAfter), dbSessions: await measuredWindow.stopSampler() };
}

function transferFigures(tally, measureFrom) {
  const elapsedSeconds = (Math.max(tally.lastCompletedAt, measureFrom) - measureFrom) / 1000;
  const sorted = tally.latencies.sort((a, b) => a - b);
  const ok = tally.statuses.get(201) ?? 0;
  const errors = Object.fromEntries([...tally.statuses.entries()].filter(([status]) => status !== 201).map(([status, n]) => [String(status), n]));
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    ok,
    errors,
    errorCount,
    errorRatio: round(errorCount / Math.max(1, ok + errorCount), 4),
    replayed: tally.replayed,
    perSecond: elapsedSeconds > 0 ? round(ok / elapsedSeconds, 1) : null,
    requestsPerSecond: elapsedSeconds > 0 ? round((ok + errorCount) / elapsedSeconds, 1) : null,
    measuredSeconds: round(elapsedSeconds, 2),
    warmupRequests: tally.warmupRequests,
    latencyMs: {
      mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? null),
    },
  };
}

async function adminToken(agent, port) {
  const login = await expectStatus(await httpRequest(agent, port, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login');
  return login.accessToken;
}

async function ledgerCheck(agent, port, token) {
  const check = await expectStatus(
    await httpRequest(agent, port, 'GET', '/api/v1/admin/ledger/check', { headers: { authorization: `Bearer ${token}` }, timeoutMs: 60_000 }),
    200,
    'ledger check',
  );
  return {
    balanced: check.balanced,
    sumOfBalances: check.sumOfBalances,
    accounts: check.accounts,
    mismatches: Array.isArray(check.mismatches) ? check.mismatches.length : check.mismatches,
    negativeBalances: Array.isArray(check.negativeBalances) ? check.negativeBalances.length : undefined,
    unbalancedTransactions: Array.isArray(check.unbalancedTransactions) ? check.unbalancedTransactions.length : undefined,
  };
}

async function committedTransfers() {
  const { rows } = await state.sql.query(`select count(*)::int as n from ledger_transactions where kind = 'transfer'`);
  return rows[0].n;
}

/**
 * Straight from the database: the transfers this scenario committed (warm-up included) against
 * the 201s its clients got — each 201's transaction in the ledger exactly once, nothing else
 * committed — and the customers' money against what was deposited.
 */
async function databaseCrossCheck(committedIds, transfersBefore, expectedCustomerMoney) {
  const distinctIds = new Set(committedIds.filter(Boolean));
  const { rows } = await state.sql.query(
    `select (select count(*) from ledger_transactions where kind = 'transfer')::int as transfers,
            (select count(*) from ledger_transactions where kind = 'transfer' and id = any($1::uuid[]))::int as found,
            (select coalesce(sum(balance), 0) from accounts where kind = 'customer')::text as customer_balance`,
    [[...distinctIds]],
  );
  const transfersCommitted = rows[0].transfers - transfersBefore;
  const customerBalanceTotal = Number(rows[0].customer_balance);
  return {
    answered201: committedIds.length,
    distinct201Ids: distinctIds.size,
    found201InLedger: rows[0].found,
    transfersCommitted,
    every201InLedgerOnce: distinctIds.size === committedIds.length && rows[0].found === committedIds.length && transfersCommitted === committedIds.length,
    customerBalanceTotal,
    customerBalanceExpected: expectedCustomerMoney,
    moneyConserved: customerBalanceTotal === expectedCustomerMoney,
  };
}

async function runScenario(name, options, platform) {
  const server = scenarioServer(name);
  const shape = SHAPES[scenarioShape(name)];
  const servers = serversOf(server);
  const agents = server === 'api' ? platform.apiAgents : [platform.bareAgent];
  progress(`${name}: ${shape.describe(platform.customers)}, ${options.clients} clients on the ${server === 'api' ? `${servers.length} api process(es)` : 'bare reference'}; ${options.warmup} s warm-up, ${options.seconds} s measured`);
  const transfersBefore = await committedTransfers();
  const run = await driveTransfers(name, options, servers, agents, shape, platform.customers);
  if (aborting) return null;
  const figures = transferFigures(run.tally, run.measureFrom);
  progress(`${name}: ${figures.ok} ok (${figures.perSecond}/s), errors ${JSON.stringify(figures.errors)}, p99 ${figures.latencyMs.p99} ms, ${run.batches?.commandsPerCall ?? '?'} commands per batch`);
  const database = await databaseCrossCheck(run.tally.committedIds, transfersBefore, platform.expectedCustomerMoney);
  const check = await ledgerCheck(platform.apiAgents[0], state.apis[0].port, platform.adminToken);
  progress(`${name}: ledger balanced=${check.balanced} sumOfBalances=${check.sumOfBalances}; ${database.transfersCommitted} transfers committed for ${database.answered201} 201s, every 201 once: ${database.every201InLedgerOnce}, money conserved: ${database.moneyConserved}`);
  await sleep(500); // let the tail of this scenario settle before the next one
  return { name, server, shape: scenarioShape(name), describe: shape.describe(platform.customers), figures, run, database, ledgerCheck: check, errorSamples: Object.fromEntries(run.tally.errorSamples) };
}

// ---------------------------------------------------------------------------------------------
// pgbench, and each scenario's document

async function runPgbenches(options) {
  const onChild = (child) => (state.pgbenchChild = child);
  await adminQuery(`create database ${quoteIdentifier(pgbenchDatabase)}`);
  state.createdDatabases.add(pgbenchDatabase);
  await initPgbench(pgbenchDatabase, onChild);
  const load = { clients: options.clients, seconds: options.seconds };
  const shapes = new Set(options.scenarios.map((name) => SHAPES[scenarioShape(name)].pgbench));
  const results = {};
  for (const [kind, runPgbench] of [['tpcb', runTpcb], ['hotAccount', runHotAccount]]) {
    if (!shapes.has(kind) || aborting) continue;
    try {
      results[kind] = await runPgbench(pgbenchDatabase, load, onChild);
    } catch (error) {
      results[kind] = { error: error.message };
      if (!aborting) progress(`pgbench failed: ${error.message}`);
    }
  }
  return results;
}

/** The bare run of the same shape, else bare-spread, else none. */
function bareReferenceOf(result, results) {
  if (result.server !== 'api') return null;
  return results.find((other) => other.name === `bare-${result.shape}`) ?? results.find((other) => other.name === 'bare-spread') ?? null;
}

function targetMet(doc, options) {
  const atMost = (value, limit) => (value === null || value === undefined ? null : value <= limit);
  const atLeast = (value, limit) => (value === null || value === undefined ? null : value >= limit);
  const met = {
    ratioToPgbench: atLeast(doc.ratioToPgbench, TARGETS.ratioToPgbench.atLeast),
    p99Ms: options.clients === TARGETS.p99Ms.atClients ? atMost(doc.transfers.latencyMs.p99, TARGETS.p99Ms.atMost) : null,
    apiCpuMsPerTransfer: doc.server === 'api' ? atMost(doc.cpuMsPerTransfer.api, TARGETS.apiCpuMsPerTransfer.atMost) : null,
    ratioToBare: doc.server === 'api' ? atLeast(doc.ratioToBare, TARGETS.ratioToBare.atLeast) : null,
    errors: atMost(doc.transfers.errorCount, TARGETS.errors.atMost),
  };
  const decided = Object.values(met).filter((value) => value !== null);
  return { ...met, all: decided.length === 0 ? null : decided.every(Boolean) };
}

function scenarioDocument(result, context) {
  const { options, results, pgbench, setup } = context;
  const { figures, run } = result;
  const serverCores = run.cpu[result.server];
  const pairedPgbench = options.pgbench ? pgbench[SHAPES[result.shape].pgbench] : null;
  const pgbenchTps = pairedPgbench?.tps ?? null;
  const bare = bareReferenceOf(result, results);
  const perTransfer = (cores) => (cores === null || !figures.perSecond ? null : round((cores * 1000) / figures.perSecond, 2));
  const doc = {
    benchmark: 'transfers',
    scenario: result.name,
    server: result.server,
    shape: { name: result.shape, description: result.describe },
    clients: options.clients,
    seconds: options.seconds,
    warmupSeconds: options.warmup,
    serverProcesses: result.server === 'api' ? options.apiProcesses : 1,
    customers: options.customers,
    amountMinorUnits: { min: 1, max: options.maxAmount },
    transfers: figures,
    cpuMsPerTransfer: { [result.server]: perTransfer(serverCores), postgres: perTransfer(run.cpu.postgres) },
    idleInTransactionSessions: idleInTransactionSessions(run.dbSessions?.averageSessions),
    averageBatchSize: run.batches?.commandsPerCall ?? null,
    batches: run.batches,
    pgbench: options.pgbench ? (pairedPgbench ?? { error: 'did not run' }) : { skipped: '--no-pgbench' },
    ratioToPgbench: pgbenchTps ? round(figures.perSecond / pgbenchTps, 3) : null,
    // The hot-account shapes pair with the hot-account script; their ratio to TPC-B too, for comparison.
    ...(SHAPES[result.shape].pgbench === 'tpcb' ? {} : { ratioToPgbenchTpcb: pgbench.tpcb?.tps ? round(figures.perSecond / pgbench.tpcb.tps, 3) : null }),
    ratioToBare: bare ? round(figures.perSecond / bare.figures.perSecond, 3) : null,
    bareReference: result.server !== 'api' ? null : bare ? { scenario: bare.name, sameShape: bare.shape === result.shape, transfersPerSecond: bare.figures.perSecond } : 'none (no bare run)',
    targets: TARGETS,
    targetMet: null,
    ledgerCheck: result.ledgerCheck,
    database: result.database,
    cpuDuringTransfers: run.cpu,
    dbSessionsDuringTransfers: run.dbSessions,
    setup,
    errorSamples: result.errorSamples,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
  };
  doc.targetMet = targetMet(doc, options);
  return doc;
}

function serverLogs() {
  return [...state.apis, state.bare].filter(Boolean).map((server) => ({ server: server.name, port: server.port, exit: server.exited, warnLines: server.warnLines, errorLines: server.errorLines.count, errorSamples: server.errorLines.samples }));
}

// ---------------------------------------------------------------------------------------------

async function setUpPlatform(options) {
  await adminQuery(`create database ${quoteIdentifier(appDatabase)}`);
  state.createdDatabases.add(appDatabase);
  await startApis(options);
  state.sql = new pg.Client({ connectionString: appDatabaseUrl, connectionTimeoutMillis: 10_000 });
  await state.sql.connect();
  const apiAgents = state.apis.map(() => new http.Agent({ keepAlive: true, maxSockets: options.clients + 8, maxFreeSockets: options.clients + 8 }));
  const registered = await registerCustomers(options, apiAgents);
  const topUp = await prepareHotAccountSource(options, registered.customers);
  if (options.scenarios.some((name) => scenarioServer(name) === 'bare')) await startBare(options);
  return {
    customers: registered.customers,
    apiAgents,
    bareAgent: new http.Agent({ keepAlive: true, maxSockets: options.clients + 8, maxFreeSockets: options.clients + 8 }),
    adminToken: await adminToken(apiAgents[0], state.apis[0].port),
    expectedCustomerMoney: registered.customers.length * INITIAL_DEPOSIT + topUp,
    setup: { registerPerSecond: registered.registerPerSecond, loginPerSecond: registered.loginPerSecond, hotAccountTopUp: topUp },
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => abort(`overall time limit of ${options.timeout} s reached`, 124), options.timeout * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => abort(`received ${signal}`, 130));
  progress(
    `scenarios ${options.scenarios.join(', ')}: ${options.clients} clients, ${options.seconds} s each (+${options.warmup} s warm-up), ${options.apiProcesses} api process(es), ` +
      `${options.customers} customers; database ${appDatabase}, Redis prefix ${redisPrefix}`,
  );
  const platform = await setUpPlatform(options);
  const results = [];
  for (const name of options.scenarios) {
    const result = await runScenario(name, options, platform);
    if (!result) return;
    results.push(result);
  }
  for (const agent of [...platform.apiAgents, platform.bareAgent]) agent.destroy();
  await stopServers();
  const logs = serverLogs();
  progress('api processes and bare reference stopped');
  const pgbench = options.pgbench ? await runPgbenches(options) : {};
  if (aborting) return;
  await cleanup();
  const context = { options, results, pgbench, setup: platform.setup };
  for (const result of results) {
    const doc = scenarioDocument(result, context);
    doc.serverLogs = logs.filter((log) => (result.server === 'api' ? log.server.startsWith('api-') : log.server === 'bare'));
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  progress(`summary: ${results.map((result) => `${result.name} ${result.figures.perSecond}/s p99 ${result.figures.latencyMs.p99} ms`).join('; ')}`);
}

main().then(
  () => {
    if (!aborting) process.exit(0);
  },
  async (error) => {
    if (aborting) return;
    aborting = true;
    progress(`failed: ${error?.stack ?? error}`);
    await cleanup();
    process.exit(1);
  },
);
