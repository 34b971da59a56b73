#!/usr/bin/env node
// Benchmark (not a test) of money transfers through the built api, beside pgbench TPC-B on the
// same machine. One run: a fresh database, N api processes (dist/, built by `npm run bench`),
// customers registered and logged in over HTTP, C keep-alive clients posting transfers for T
// seconds after a warm-up, the admin ledger check, then pgbench -c C -T T on a second fresh
// database. Progress goes to stderr, one JSON document to stdout. Everything it creates (api
// processes, both databases, the Redis keys under its prefix) is removed at the end, also on
// failure, Ctrl+C or the overall time limit. All traffic goes to 127.0.0.1.
//
//   npm run -s bench -- [--clients 64] [--seconds 20] [--api-processes 2] [--customers 200]
//                       [--warmup 2] [--max-amount 100] [--no-pgbench] [--timeout <s>] [--cpu-prof <dir>]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CLOCK_TICKS, postgresTicks, processTicks } from './proc-cpu.mjs';
import Redis from 'ioredis';
import { HOST, PG_ADMIN_URL, REDIS_URL, REQUEST_TIMEOUT_MS, adminQuery, expectStatus, freePort, httpRequest, inParallel, parseJson, percentile, progress, quoteIdentifier, round, sleep } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const API_ENTRY = resolve(ROOT, 'dist/apps/api/src/main.js');
const PGBENCH = '/usr/bin/pgbench';
const ADMIN = { email: 'admin@bankingcore.local', password: 'dev-only-admin-password' };
const TARGET = { transfersPerSecond: 1000, p99Ms: 50, ratio: 0.2 };
const INITIAL_DEPOSIT = 100_000_000;

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const options = { clients: 64, seconds: 20, apiProcesses: 2, customers: 200, warmup: 2, pgbench: true, timeout: undefined, cpuProf: null, maxAmount: 100 };
  const numeric = { '--clients': 'clients', '--seconds': 'seconds', '--api-processes': 'apiProcesses', '--customers': 'customers', '--warmup': 'warmup', '--timeout': 'timeout', '--max-amount': 'maxAmount' };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split('=', 2);
    if (flag === '--no-pgbench') {
      options.pgbench = false;
      continue;
    }
    if (flag === '--cpu-prof') {
      // Writes a V8 CPU profile of each api process into this directory (open in Chrome DevTools).
      options.cpuProf = resolve(value ?? argv[++i] ?? '');
      continue;
    }
    if (flag === '--help' || flag === '-h') {
      process.stderr.write('usage: npm run -s bench -- [--clients 64] [--seconds 20] [--api-processes 2] [--customers 200] [--warmup 2] [--max-amount 100] [--no-pgbench] [--timeout s] [--cpu-prof dir]\n');
      process.exit(0);
    }
    const key = numeric[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}`);
    if (value === undefined) value = argv[++i];
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`${flag} needs a non-negative number, got ${value}`);
    options[key] = number;
  }
  if (!Number.isInteger(options.clients) || options.clients < 1) throw new Error('--clients must be an integer ≥ 1');
  if (!Number.isInteger(options.apiProcesses) || options.apiProcesses < 1 || options.apiProcesses > 8) throw new Error('--api-processes must be 1..8');
  if (!Number.isInteger(options.customers) || options.customers < 2) throw new Error('--customers must be an integer ≥ 2');
  if (options.seconds <= 0) throw new Error('--seconds must be > 0');
  // Amounts are 1..maxAmount minor units: at the default 100 neither funds (1e8 each) nor the
  // daily limit (1e6 per account) refuse anything; raise it to see refusals under load.
  if (!Number.isInteger(options.maxAmount) || options.maxAmount < 1) throw new Error('--max-amount must be an integer ≥ 1');
  // Set-up (registration is Argon2-bound), warm-up, the run, pgbench (init + run) and clean-up.
  options.timeout ??= Math.ceil(240 + options.customers * 0.15 + options.warmup + 2 * options.seconds + 60);
  return options;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): the bench client, the api processes, PostgreSQL, the machine

function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const idle = numbers[3] + (numbers[4] ?? 0);
  const total = numbers.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total, steal: numbers[7] ?? 0 };
}

function cpuSnapshot(apiPids) {
  let postgres = null;
  try {
    postgres = postgresTicks();
  } catch {
    // no /proc: not Linux
  }
  let machine = null;
  try {
    machine = machineTicks();
  } catch {
    // not Linux
  }
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    bench: (usage.user + usage.system) / 1e6,
    api: apiPids.map((pid) => processTicks(pid)),
    apiSystem: apiPids.map((pid) => processTicks(pid, 'system')),
    postgres,
    machine,
  };
}

/** Average cores used by each party between two snapshots (2.0 = both cores of a 2-core box). */
function cpuSplit(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks) => round(ticks / CLOCK_TICKS / seconds, 2);
  const delta = (field) => after[field].reduce((sum, end, i) => sum + (end !== null && before[field][i] !== null ? end - before[field][i] : 0), 0);
  const api = delta('api');
  const apiSystem = delta('apiSystem');
  let postgres = null;
  let postgresSystem = null;
  if (before.postgres && after.postgres) {
    postgres = 0;
    postgresSystem = 0;
    for (const [pid, end] of after.postgres) {
      postgres += end.total - (before.postgres.get(pid)?.total ?? 0);
      postgresSystem += end.system - (before.postgres.get(pid)?.system ?? 0);
    }
  }
  let machineBusy = null;
  let steal = null;
  if (before.machine && after.machine) {
    const total = after.machine.total - before.machine.total;
    const idle = after.machine.idle - before.machine.idle;
    machineBusy = round(((total - idle) / total) * os.cpus().length, 2);
    // Time the hypervisor gave to someone else while this VM wanted to run: a noisy neighbour.
    steal = round(((after.machine.steal - before.machine.steal) / total) * os.cpus().length, 2);
  }
  const bench = round((after.bench - before.bench) / seconds, 2);
  const apiCores = cores(api);
  const postgresCores = postgres === null ? null : cores(postgres);
  const other = machineBusy === null || postgresCores === null ? null : round(Math.max(0, machineBusy - (steal ?? 0) - bench - apiCores - postgresCores), 2);
  return {
    unit: 'cores (average over the measured window)',
    machineCores: os.cpus().length,
    machineBusy,
    steal,
    api: apiCores,
    apiKernel: cores(apiSystem),
    postgres: postgresCores,
    postgresKernel: postgresSystem === null ? null : cores(postgresSystem),
    benchClient: bench,
    other,
  };
}

// ---------------------------------------------------------------------------------------------
// Resources and their clean-up

const suffix = randomBytes(4).toString('hex');
const appDatabase = `bankingcore_bench_${suffix}`;
const pgbenchDatabase = `bankingcore_bench_${suffix}_pgbench`;
const redisPrefix = `bankingcore-bench:${suffix}:`;

const state = {
  apis: [], // { index, port, child, exited, logTail, errorLines }
  pgbenchChild: null,
  createdDatabases: new Set(),
  cleanedUp: null,
  stopping: false,
};

function stopChild(child, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function stopApis() {
  state.stopping = true;
  await Promise.all(state.apis.map((api) => stopChild(api.child, 10_000)));
}

function cleanup() {
  state.cleanedUp ??= (async () => {
    const report = { apiStopped: false, databasesDropped: [], redisKeysDeleted: 0, problems: [] };
    try {
      await stopChild(state.pgbenchChild, 3_000);
      await stopApis();
      report.apiStopped = true;
    } catch (error) {
      report.problems.push(`stopping processes: ${error.message}`);
    }
    for (const name of state.createdDatabases) {
      try {
        await adminQuery(`drop database if exists ${quoteIdentifier(name)} with (force)`);
        report.databasesDropped.push(name);
      } catch (error) {
        report.problems.push(`dropping ${name}: ${error.message}`);
      }
    }
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, enableOfflineQueue: false });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        cursor = nextCursor;
        if (keys.length > 0) report.redisKeysDeleted += await redis.del(...keys);
      } while (cursor !== '0');
    } catch (error) {
      report.problems.push(`deleting Redis keys: ${error.message}`);
    } finally {
      redis.disconnect();
    }
    progress(
      `cleaned up: api stopped, dropped ${report.databasesDropped.join(', ') || 'no database'}, deleted ${report.redisKeysDeleted} Redis key(s)` +
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
// The api processes

async function startApi(index, options) {
  const port = await freePort();
  const profiling = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=api-${index}-${suffix}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profiling, API_ENTRY], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `postgres://postgres@${HOST}:5432/${appDatabase}`,
      REDIS_URL,
      PORT: String(port),
      HOST,
      LOG_LEVEL: 'warn',
      READY_REQUIRES_WORKER: 'false',
      REDIS_KEY_PREFIX: redisPrefix,
      RATE_LIMITS: 'off', // benchmarks measure throughput, not the limits (DESIGN.md)
      NODE_ENV: 'development',
    },
  });
  const api = { index, port, child, exited: null, logTail: [], errorLines: { count: 0, samples: [] }, warnLines: 0 };
  const onLine = (line) => {
    if (!line.trim()) return;
    api.logTail.push(line);
    if (api.logTail.length > 40) api.logTail.shift();
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= 50) {
      api.errorLines.count++;
      if (api.errorLines.samples.length < 5) api.errorLines.samples.push(line.slice(0, 1500));
    } else if (level === '40') api.warnLines++;
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
    api.exited = signal ?? `code ${code}`;
    if (!state.stopping) progress(`api #${index} (port ${port}) exited unexpectedly (${api.exited}); last output:\n  ${api.logTail.slice(-15).join('\n  ')}`);
  });
  state.apis.push(api);
  return api;
}

async function waitReady(api, deadlineMs) {
  const agent = new http.Agent({ keepAlive: false });
  while (performance.now() < deadlineMs) {
    if (api.exited) throw new Error(`api #${api.index} exited during start-up (${api.exited}): ${api.logTail.slice(-10).join(' | ')}`);
    const response = await httpRequest(agent, api.port, 'GET', '/health/ready', { timeoutMs: 2_000 });
    if (response.status === 200) return;
    await sleep(250);
  }
  throw new Error(`api #${api.index} not ready within the start-up limit: ${api.logTail.slice(-10).join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------
// The benchmark

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

async function driveTransfers(options, agents, customers) {
  const warmupMs = options.warmup * 1000;
  const runMs = options.seconds * 1000;
  const begin = performance.now();
  const measureFrom = begin + warmupMs;
  const stopAt = measureFrom + runMs;
  const latencies = [];
  const statuses = new Map();
  const errorSamples = new Map(); // status -> up to 3 bodies
  let warmupRequests = 0;
  let replayed = 0;
  let keyCounter = 0;
  let lastCompletedAt = measureFrom;
  // Per-second progress
  let intervalOk = 0;
  let intervalErrors = 0;
  let intervalLatencies = [];
  let cpuBefore = null;
  const apiPids = state.apis.map((api) => api.child.pid);

  const ticker = setInterval(() => {
    const now = performance.now();
    const phase = now < measureFrom ? 'warm-up' : 'measuring';
    const sorted = intervalLatencies.sort((a, b) => a - b);
    const okTotal = statuses.get(201) ?? 0;
    const errTotal = [...statuses.entries()].reduce((sum, [status, n]) => (status === 201 ? sum : sum + n), 0);
    progress(
      `${phase} ${Math.max(0, (now - measureFrom) / 1000).toFixed(0).padStart(3)}/${options.seconds}s: last second ${intervalOk} ok + ${intervalErrors} errors, ` +
        `p50 ${round(percentile(sorted, 50)) ?? '-'} ms, p99 ${round(percentile(sorted, 99)) ?? '-'} ms | counted so far ${okTotal} ok, ${errTotal} errors`,
    );
    intervalOk = 0;
    intervalErrors = 0;
    intervalLatencies = [];
  }, 1000);
  let stopSampler = null;
  const cpuTimer = setTimeout(() => {
    cpuBefore = cpuSnapshot(apiPids);
    stopSampler = startDbSampler(appDatabase);
  }, warmupMs);

  const client = async (clientIndex) => {
    const api = clientIndex % options.apiProcesses;
    const agent = agents[api];
    const port = state.apis[api].port;
    while (!aborting) {
      if (state.apis[api].exited) throw new Error(`api #${api} exited during the run (${state.apis[api].exited})`);
      const startedAt = performance.now();
      if (startedAt >= stopAt) return;
      const from = Math.floor(Math.random() * customers.length);
      let to = Math.floor(Math.random() * (customers.length - 1));
      if (to >= from) to++;
      const sender = customers[from];
      const response = await httpRequest(agent, port, 'POST', '/api/v1/transfers', {
        body: { fromAccountId: sender.accountId, toAccountNumber: customers[to].accountNumber, amount: 1 + Math.floor(Math.random() * options.maxAmount), description: 'bench' },
        headers: { authorization: `Bearer ${sender.token}`, 'idempotency-key': `bench-${suffix}-${clientIndex}-${++keyCounter}` },
      });
      const endedAt = performance.now();
      const latency = endedAt - startedAt;
      intervalLatencies.push(latency);
      if (response.status === 201) intervalOk++;
      else intervalErrors++;
      if (startedAt < measureFrom) {
        warmupRequests++;
        continue;
      }
      lastCompletedAt = Math.max(lastCompletedAt, endedAt);
      latencies.push(latency);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.headers?.['idempotent-replayed']) replayed++;
      if (response.status !== 201) {
        const samples = errorSamples.get(response.status) ?? [];
        if (samples.length < 3) samples.push(parseJson(response.text));
        errorSamples.set(response.status, samples);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(ticker);
    clearTimeout(cpuTimer);
  }
  const cpuAfter = cpuSnapshot(apiPids);
  const dbSessions = stopSampler ? await stopSampler() : null;
  const elapsedSeconds = (lastCompletedAt - measureFrom) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const ok = statuses.get(201) ?? 0;
  const errors = Object.fromEntries([...statuses.entries()].filter(([status]) => status !== 201).map(([status, n]) => [String(status), n]));
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    ok,
    errors,
    errorRatio: round(errorCount / Math.max(1, ok + errorCount), 4),
    replayed,
    perSecond: round(ok / elapsedSeconds, 1),
    requestsPerSecond: round((ok + errorCount) / elapsedSeconds, 1),
    measuredSeconds: round(elapsedSeconds, 2),
    warmupRequests,
    latencyMs: {
      mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1] ?? null),
    },
    errorSamples: Object.fromEntries([...errorSamples.entries()].map(([status, samples]) => [String(status), samples])),
    cpu: cpuBefore ? cpuSplit(cpuBefore, cpuAfter) : null,
    dbSessions,
  };
}

async function ledgerCheck(agent, port) {
  const login = await expectStatus(await httpRequest(agent, port, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login');
  const check = await expectStatus(
    await httpRequest(agent, port, 'GET', '/api/v1/admin/ledger/check', { headers: { authorization: `Bearer ${login.accessToken}` }, timeoutMs: 60_000 }),
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

/** Counts straight from the database: transfers committed and customer money, to cross-check the HTTP figures. */
async function databaseCounts(customers) {
  const client = new pg.Client({ connectionString: `postgres://postgres@${HOST}:5432/${appDatabase}`, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select (select count(*) from ledger_transactions where kind = 'transfer')::int as transfers,
              (select coalesce(sum(balance), 0) from accounts where kind = 'customer')::text as customer_balance,
              (select count(*) from outbox_events)::int as outbox_events`,
    );
    return {
      transfersCommitted: rows[0].transfers,
      customerBalanceTotal: Number(rows[0].customer_balance),
      customerBalanceExpected: customers.length * INITIAL_DEPOSIT,
      outboxEvents: rows[0].outbox_events,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * What the api's PostgreSQL sessions are doing, sampled every 100 ms over the measured window:
 * `active` with a wait event (Lock/object = the NOTIFY commit lock, Lock/transactionid = a row
 * lock, IO/WALSync = the commit flush), `active` on CPU, or `idle in transaction` (PostgreSQL
 * waits for the api: Node's event loop is the bottleneck), or `idle` (a pooled connection unused).
 */
function startDbSampler(database) {
  const counts = new Map();
  let samples = 0;
  let stopped = false;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  const loop = (async () => {
    try {
      await client.connect();
      while (!stopped) {
        const { rows } = await client.query(
          `select state, wait_event_type, wait_event, count(*)::int as n from pg_stat_activity
           where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()
           group by 1, 2, 3`,
          [database],
        );
        samples++;
        for (const row of rows) {
          const key = `${row.state ?? '?'}${row.wait_event_type ? ` / ${row.wait_event_type}:${row.wait_event}` : row.state === 'active' ? ' / on CPU' : ''}`;
          counts.set(key, (counts.get(key) ?? 0) + row.n);
        }
        await sleep(100);
      }
    } catch (error) {
      counts.set(`sampler failed: ${error.message}`, 0);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    // Average number of sessions in each state at any moment.
    return {
      samples,
      averageSessions: Object.fromEntries(
        [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => [key, round(n / Math.max(1, samples), 2)]),
      ),
    };
  };
}

function run(command, args, { timeoutMs, track = false }) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '10' } });
    if (track) state.pgbenchChild = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (track) state.pgbenchChild = null;
      if (code === 0) done({ stdout, stderr });
      else fail(new Error(`${command} ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

async function runPgbench(options) {
  await adminQuery(`create database ${quoteIdentifier(pgbenchDatabase)}`);
  state.createdDatabases.add(pgbenchDatabase);
  const connection = ['-h', HOST, '-p', '5432', '-U', 'postgres'];
  progress(`pgbench: initialising ${pgbenchDatabase} (scale 10)`);
  await run(PGBENCH, ['-i', '-s', '10', '-q', ...connection, pgbenchDatabase], { timeoutMs: 180_000, track: true });
  progress(`pgbench: TPC-B with ${options.clients} clients, 2 threads, ${options.seconds} s`);
  const seconds = Math.max(1, Math.round(options.seconds));
  // Sampled while pgbench's sessions exist (they end with the run), skipping the first and last second.
  let before = null;
  let after = null;
  const timers = [
    setTimeout(() => (before = cpuSnapshot([state.pgbenchChild?.pid])), 1_000),
    setTimeout(() => (after = cpuSnapshot([state.pgbenchChild?.pid])), Math.max(1_500, seconds * 1000 - 1_000)),
  ];
  let stdout;
  try {
    ({ stdout } = await run(PGBENCH, ['-c', String(options.clients), '-j', '2', '-T', String(seconds), '-n', ...connection, pgbenchDatabase], {
      timeoutMs: seconds * 1000 + 120_000,
      track: true,
    }));
  } finally {
    timers.forEach(clearTimeout);
  }
  const cpu = before && after ? cpuSplit(before, after) : { machineBusy: null, postgres: null, api: null, unit: null };
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps line: ${stdout.slice(-500)}`);
  progress(`pgbench: ${tps} tps`);
  const postgresMsPerTransaction = cpu.postgres === null ? null : round((cpu.postgres * 1000) / Number(tps), 2);
  return {
    tps: Number(tps),
    latencyAverageMs: latency ? Number(latency) : null,
    transactions: transactions ? Number(transactions) : null,
    failed: failed ? Number(failed) : null,
    cpu: { unit: cpu.unit, machineBusy: cpu.machineBusy, steal: cpu.steal, postgres: cpu.postgres, pgbenchClient: cpu.api, postgresMsPerTransaction },
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => abort(`overall time limit of ${options.timeout} s reached`, 124), options.timeout * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => abort(`received ${signal}`, 130));

  progress(
    `${options.clients} clients, ${options.seconds} s (+${options.warmup} s warm-up), ${options.apiProcesses} api process(es), ${options.customers} customers; ` +
      `database ${appDatabase}, Redis prefix ${redisPrefix}`,
  );
  await adminQuery(`create database ${quoteIdentifier(appDatabase)}`);
  state.createdDatabases.add(appDatabase);

  // The first process migrates; the others would wait on the migration lock anyway.
  const startDeadline = performance.now() + 90_000;
  const first = await startApi(0, options);
  await waitReady(first, startDeadline);
  for (let i = 1; i < options.apiProcesses; i++) await startApi(i, options);
  await Promise.all(state.apis.slice(1).map((api) => waitReady(api, startDeadline)));
  progress(`api ready on port(s) ${state.apis.map((api) => api.port).join(', ')}`);

  const agents = state.apis.map(() => new http.Agent({ keepAlive: true, maxSockets: options.clients + 8, maxFreeSockets: options.clients + 8 }));
  const setup = await registerCustomers(options, agents);
  progress(`customers ready (register ${setup.registerPerSecond}/s, login ${setup.loginPerSecond}/s); ${options.warmup} s warm-up, then ${options.seconds} s measured`);

  const transfers = await driveTransfers(options, agents, setup.customers);
  if (aborting) return;
  progress(`transfers: ${transfers.ok} ok (${transfers.perSecond}/s), errors ${JSON.stringify(transfers.errors)}, p99 ${transfers.latencyMs.p99} ms`);

  const check = await ledgerCheck(agents[0], state.apis[0].port);
  const counts = await databaseCounts(setup.customers);
  progress(`ledger check: balanced=${check.balanced} sumOfBalances=${check.sumOfBalances}; ${counts.transfersCommitted} transfers in the database`);
  for (const agent of agents) agent.destroy();

  await stopApis();
  const apiLogs = state.apis.map((api) => ({ port: api.port, exit: api.exited, warnLines: api.warnLines, errorLines: api.errorLines.count, errorSamples: api.errorLines.samples }));
  progress('api processes stopped');

  let pgbenchResult = null;
  let pgbenchError = null;
  if (options.pgbench) {
    try {
      pgbenchResult = await runPgbench(options);
    } catch (error) {
      pgbenchError = error.message;
      if (!aborting) progress(`pgbench failed: ${error.message}`);
    }
  }
  if (aborting) return;

  const { errorSamples, cpu, dbSessions, ...transferFigures } = transfers;
  const ratio = pgbenchResult ? round(transfers.perSecond / pgbenchResult.tps, 3) : null;
  const result = {
    clients: options.clients,
    seconds: options.seconds,
    apiProcesses: options.apiProcesses,
    customers: options.customers,
    amountMinorUnits: { min: 1, max: options.maxAmount },
    transfers: transferFigures,
    ledgerCheck: check,
    database: counts,
    pgbenchTpcbTps: pgbenchResult?.tps ?? null,
    ratioToPgbench: ratio,
    target: TARGET,
    targetMet: {
      transfersPerSecond: transfers.perSecond >= TARGET.transfersPerSecond,
      p99Ms: transfers.latencyMs.p99 !== null && transfers.latencyMs.p99 <= TARGET.p99Ms,
      ratio: ratio === null ? null : ratio >= TARGET.ratio,
    },
    cpuDuringTransfers: cpu && {
      ...cpu,
      // CPU milliseconds each committed transfer cost, all processes of a kind together.
      msPerTransfer: { api: round((cpu.api * 1000) / transfers.perSecond, 2), postgres: cpu.postgres === null ? null : round((cpu.postgres * 1000) / transfers.perSecond, 2) },
    },
    dbSessionsDuringTransfers: dbSessions,
    pgbench: pgbenchResult ?? { error: pgbenchError ?? 'skipped (--no-pgbench)' },
    setup: { registerPerSecond: setup.registerPerSecond, loginPerSecond: setup.loginPerSecond },
    errorSamples,
    apiLogs,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
  };
  await cleanup();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
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
