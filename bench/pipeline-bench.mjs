#!/usr/bin/env node
// Benchmark (not a test) of the service-request pipeline: submit → `pending_review` (the triage
// job) and approve → `completed` (the fulfilment job), as seen live on an employee's socket, and
// completed requests per second, with W worker processes. One run: a fresh database, one api
// process, the workers, customers filing `limit_increase` requests at a steady (open-loop) rate
// for T seconds while employees claim and approve each as soon as it is triaged. Progress to
// stderr, one JSON document to stdout; everything it creates is removed at the end (also on
// failure, Ctrl+C or the time limit). Latencies are from the HTTP answer to the event; negative
// ones mean the event arrived first.
//
// At the end it checks in the database that every filed request is `completed` with exactly the
// five transitions submitted → pending_review → in_review → approved → completed (and that nothing
// else is there), and fails loudly otherwise. It also splits both latencies into stages from the
// database's own timestamps (same machine clock): the job's pick-up, and the step's transaction,
// the outbox relay and the push to the socket; and reports where the CPU went while requests were
// flowing (from /proc, Linux).
//
//   node bench/pipeline-bench.mjs [--rate 50] [--seconds 15] [--workers 2] [--employees 10] [--customers 50]
//                                 [--cpu-prof <dir>]   (a V8 CPU profile of the api and each worker)
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { CLOCK_TICKS, postgresTicks, processTicks } from './proc-cpu.mjs';
import { io } from 'socket.io-client';
import { HOST, expectStatus, httpRequest, inParallel, parseNumberOptions, percentile, progress, round, sleep } from './lib.mjs';
import { BenchPlatform } from './platform.mjs';

// Issue 14's targets: at ≥ 50 requests/s offered (2 workers), every request completed while filing,
// HTTP p99 ≤ 100 ms, approve → completed p99 ≤ 250 ms, ≤ 15 ms of CPU per request in total.
const TARGET = { approveToCompletedP99Ms: 250, httpP99Ms: 100, cpuMsPerRequestTotal: 15, requestsPerSecond: 50, workers: 2 };
const ADMIN = { email: 'bench-admin@bench.bankingcore.local', password: 'bench-admin-password-2026' };
const PASSWORD = 'bench-password-123';
/** After the last filing answer, how long the pipeline may take to finish what is left. */
const DRAIN_LIMIT_MS = 45_000;
/** The whole run, set-up and clean-up included; a healthy default run takes about a minute. */
const TIME_LIMIT_MS = 4 * 60_000;
const PATH_OF_A_COMPLETED_REQUEST = 'submitted>pending_review>in_review>approved>completed';

const parseArgs = (argv) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write('usage: node bench/pipeline-bench.mjs [--rate 50] [--seconds 15] [--workers 2] [--employees 10] [--customers 50] [--cpu-prof dir]\n');
    process.exit(0);
  }
  let cpuProf = null;
  const at = argv.findIndex((arg) => arg === '--cpu-prof' || arg.startsWith('--cpu-prof='));
  if (at >= 0) {
    const [flag, value] = argv[at].split('=', 2);
    cpuProf = resolve(value ?? argv[at + 1] ?? '');
    argv = argv.filter((_, i) => i !== at && (value !== undefined || i !== at + 1));
    if (flag !== '--cpu-prof' || !cpuProf) throw new Error('--cpu-prof needs a directory');
  }
  const options = parseNumberOptions(argv, { rate: 50, seconds: 15, workers: 2, employees: 10, customers: 50 }, { '--rate': 'rate', '--seconds': 'seconds', '--workers': 'workers', '--employees': 'employees', '--customers': 'customers' });
  for (const key of ['workers', 'employees', 'customers']) if (!Number.isInteger(options[key])) throw new Error(`--${key} must be a whole number`);
  if (options.workers > 8) throw new Error('--workers must be 1..8');
  return { ...options, cpuProf };
};

const options = parseArgs(process.argv.slice(2));
if (options.cpuProf) mkdirSync(options.cpuProf, { recursive: true });
const platform = new BenchPlatform(
  'pipeline',
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  // Written when each process exits (at the clean-up); open them in Chrome DevTools.
  options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [],
);
/** Wall-clock milliseconds, comparable with PostgreSQL's timestamps on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();
const summary = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? null) };
};

async function benchQuery(sql, params) {
  const client = new pg.Client({ connectionString: `postgres://postgres@${HOST}:5432/${platform.database}`, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): the api, each worker, this database's PostgreSQL sessions,
// the rest of PostgreSQL, the bench client, and whatever else ran on the machine meanwhile.

function machineTicks() {
  const numbers = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: numbers[3] + (numbers[4] ?? 0), total: numbers.slice(0, 8).reduce((a, b) => a + b, 0), steal: numbers[7] ?? 0 };
}

function cpuSnapshot(pids) {
  try {
    const usage = process.cpuUsage();
    return { at: performance.now(), bench: (usage.user + usage.system) / 1e6, own: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(pid)])), postgres: postgresTicks(), machine: machineTicks() };
  } catch {
    return null; // not Linux
  }
}

/** Average cores used by each party between two snapshots (2.0 = both cores of a 2-core box). */
function cpuSplit(before, after, ourPostgresPids) {
  if (!before || !after) return null;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks) => round(ticks / CLOCK_TICKS / seconds, 2);
  const split = { unit: 'cores (average while requests were flowing)', seconds: round(seconds), machineCores: os.cpus().length };
  const total = after.machine.total - before.machine.total;
  split.machineBusy = round(((total - (after.machine.idle - before.machine.idle)) / total) * os.cpus().length, 2);
  split.steal = round(((after.machine.steal - before.machine.steal) / total) * os.cpus().length, 2);
  let accounted = 0;
  for (const [name, end] of Object.entries(after.own)) {
    const start = before.own[name];
    const ticks = end !== null && start !== null ? end - start : 0;
    split[name] = cores(ticks);
    accounted += ticks / CLOCK_TICKS / seconds;
  }
  let ours = 0;
  let rest = 0;
  for (const [pid, end] of after.postgres) {
    const ticks = end.total - (before.postgres.get(pid)?.total ?? 0);
    if (ourPostgresPids.has(pid)) ours += ticks;
    else rest += ticks;
  }
  split.postgresThisDatabase = cores(ours);
  split.postgresOther = cores(rest); // background processes (WAL writer, …) and any other database's sessions
  split.benchClient = round((after.bench - before.bench) / seconds, 2);
  accounted += (ours + rest) / CLOCK_TICKS / seconds + split.benchClient;
  split.everythingElse = round(Math.max(0, split.machineBusy - split.steal - accounted), 2); // other programs on the machine
  return split;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  progress(`pipeline: ${options.rate} requests/s for ${options.seconds} s, ${options.workers} workers, ${options.employees} employees, ${options.customers} customers; database ${platform.database}`);
  const port = await platform.startApi(); // migrates the database and creates the admin
  // Customers and employees are different clients: each side has its own connections, so that
  // filings piling up in this client (an overloaded api) do not queue the employees' calls here.
  const customerAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const employeeAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const request = (agent) => (method, path, token, body) => httpRequest(agent, port, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const call = request(customerAgent);
  const employeeCall = request(employeeAgent);
  const login = async (email, password) => (await expectStatus(await call('POST', '/api/v1/auth/login', null, { email, password }), 200, 'login')).accessToken;
  progress(`api up on port ${port}; starting ${options.workers} workers while creating the users`);

  // The workers start while the users are created (argon2 hashing keeps the api busy meanwhile).
  const workersUp = Promise.all(Array.from({ length: options.workers }, () => platform.startWorker()));
  workersUp.catch(() => {}); // awaited below; a failure there fails the run
  const adminToken = await login(ADMIN.email, ADMIN.password);
  const employees = await inParallel(Array.from({ length: options.employees }, (_, i) => i), 4, async (i) => {
    const email = `employee-${platform.suffix}-${i}@bench.bankingcore.local`;
    await expectStatus(await call('POST', '/api/v1/admin/staff', adminToken, { email, password: PASSWORD, fullName: `Bench Employee ${i}`, role: 'employee' }), 201, 'create employee');
    return login(email, PASSWORD);
  });
  const customers = await inParallel(Array.from({ length: options.customers }, (_, i) => i), 4, async (i) => {
    const email = `customer-${platform.suffix}-${i}@bench.bankingcore.local`;
    const registered = await expectStatus(await call('POST', '/api/v1/auth/register', null, { email, password: PASSWORD, fullName: `Bench Customer ${i}`, pin: '1234' }), 201, 'register');
    return { accountId: registered.account.id, token: await login(email, PASSWORD) };
  });
  const workers = await workersUp;
  // Events are numbered and published only by the relay that holds the leader lock: wait for it.
  for (let waited = 0; ; waited += 100) {
    const leader = await benchQuery(
      `select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where a.datname = current_database() and a.application_name = 'bankingcore-outbox-relay' and l.locktype = 'advisory' and l.granted`,
    );
    if (leader.length > 0) break;
    if (waited > 15_000) throw new Error('no worker became the outbox relay leader within 15 s');
    await sleep(100);
  }
  progress(`${workers.length} workers (one of them the relay leader), ${employees.length} employees and ${customers.length} customers up`);

  // One employee socket observes every request.updated (room role:employee).
  const requests = new Map(); // id → { submitAnswer, pendingSeen, approveAnswer, completedSeen } (wall-clock ms)
  const entry = (id) => requests.get(id) ?? requests.set(id, {}).get(id);
  const errors = {};
  const count = (what) => (errors[what] = (errors[what] ?? 0) + 1);
  const httpMs = { submit: [], claim: [], approve: [] };
  const completionTimes = [];
  let filed = 0;
  let decided = 0;
  let nextEmployee = 0;
  let socketLost = null;
  const decide = async (requestId) => {
    const token = employees[nextEmployee++ % employees.length]; // claims and approves: the same employee
    let sentAt = performance.now();
    const claim = await employeeCall('POST', `/api/v1/service-requests/${requestId}/claim`, token, {});
    httpMs.claim.push(performance.now() - sentAt);
    if (claim.status !== 200) return count(`claim ${claim.status}: ${String(claim.text).slice(0, 120)}`);
    sentAt = performance.now();
    const approve = await employeeCall('POST', `/api/v1/service-requests/${requestId}/approve`, token, {});
    httpMs.approve.push(performance.now() - sentAt);
    if (approve.status !== 200) return count(`approve ${approve.status}: ${String(approve.text).slice(0, 120)}`);
    entry(requestId).approveAnswer = wallNow();
    decided++;
  };
  const socket = await new Promise((done, fail) => {
    const socket = io(`http://${HOST}:${port}`, { path: '/socket.io', transports: ['websocket'], auth: { token: employees[0] }, reconnection: false, forceNew: true });
    platform.sockets.push(socket);
    socket.on('request.updated', ({ data }) => {
      const now = wallNow();
      if (data.status === 'pending_review') {
        const request = entry(data.id);
        if (request.pendingSeen !== undefined) return; // a duplicate delivery
        request.pendingSeen = now;
        void decide(data.id).catch((error) => count(`decide: ${error.message}`));
      } else if (data.status === 'completed') {
        const request = entry(data.id);
        if (request.completedSeen !== undefined) return;
        request.completedSeen = now;
        completionTimes.push(performance.now());
      }
    });
    socket.once('connect', () => done(socket));
    socket.once('connect_error', fail);
  });
  socket.on('disconnect', (reason) => (socketLost ??= reason));

  progress(`filing requests at ${options.rate}/s for ${options.seconds} s`);
  const pids = { api: platform.children[0].pid, ...Object.fromEntries(workers.map((worker, i) => [`worker${i + 1}`, worker.pid])) };
  const cpuBefore = cpuSnapshot(pids);
  let sent = 0;
  let inFlight = 0;
  const startedAt = performance.now();
  const endAt = startedAt + options.seconds * 1000;
  const report = setInterval(() => {
    const seen = { pending: 0, completed: 0 };
    for (const request of requests.values()) {
      if (request.pendingSeen !== undefined) seen.pending++;
      if (request.completedSeen !== undefined) seen.completed++;
    }
    progress(`  sent ${sent}, filed ${filed} (${inFlight} awaiting answers), pending_review seen ${seen.pending}, approved ${decided}, completed ${seen.completed}`);
  }, 3_000);
  try {
    await new Promise((finished) => {
      const tick = setInterval(() => {
        const now = performance.now();
        if (now >= endAt) {
          clearInterval(tick);
          return finished();
        }
        const due = Math.floor(((now - startedAt) / 1000) * options.rate) - sent;
        for (let n = 0; n < due; n++) {
          const customer = customers[sent % customers.length];
          sent++;
          inFlight++;
          const sentAt = performance.now();
          call('POST', '/api/v1/service-requests', customer.token, { type: 'limit_increase', accountId: customer.accountId, details: { dailyLimit: 1_000_000 + sent } }).then((response) => {
            inFlight--;
            httpMs.submit.push(performance.now() - sentAt);
            if (response.status !== 202) return count(`submit ${response.status}: ${String(response.text).slice(0, 120)}`);
            entry(JSON.parse(response.text).id).submitAnswer = wallNow();
            filed++;
          });
        }
      }, 5);
    });
    const sendingSeconds = (performance.now() - startedAt) / 1000;
    while (inFlight > 0) await sleep(10);
    const completedWhileSending = completionTimes.filter((at) => at <= endAt).length;
    progress(`${filed} filed (${sent} sent in ${round(sendingSeconds)} s, answers done after ${round((performance.now() - startedAt) / 1000)} s); waiting for the pipeline to drain`);
    const drainDeadline = performance.now() + DRAIN_LIMIT_MS;
    while (completionTimes.length < filed && performance.now() < drainDeadline && Object.keys(errors).length === 0 && !socketLost) await sleep(50);
    const lastCompletion = completionTimes.length ? Math.max(...completionTimes) : performance.now();
    const ourPostgresPids = new Set((await benchQuery('select pid::text from pg_stat_activity where datname = current_database()')).map((row) => row.pid));
    const cpu = cpuSplit(cpuBefore, cpuSnapshot(pids), ourPostgresPids);
    clearInterval(report);
    progress(`completed ${completionTimes.length} of ${filed} seen on the socket after ${round((lastCompletion - startedAt) / 1000)} s; checking the database`);
    if (socketLost) throw new Error(`the employee socket was disconnected (${socketLost})`);
    if (Object.keys(errors).length > 0) throw new Error(`HTTP errors: ${JSON.stringify(errors)}`);

    // Every filed request must be `completed`, by the five transitions, in the database itself.
    const rows = await benchQuery(
      `select r.id, r.status, string_agg(h.to_status, '>' order by h.id) as path,
              json_object_agg(h.to_status, extract(epoch from h.at) * 1000) as at
       from service_requests r join service_request_history h on h.request_id = r.id
       group by r.id, r.status`,
    );
    const byStatus = {};
    const badPath = [];
    for (const row of rows) {
      byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      if (row.path !== PATH_OF_A_COMPLETED_REQUEST) badPath.push(`${row.id}: ${row.path}`);
    }
    const filedIds = [...requests.entries()].filter(([, request]) => request.submitAnswer !== undefined).map(([id]) => id);
    const inDatabase = new Set(rows.map((row) => row.id));
    const missing = filedIds.filter((id) => !inDatabase.has(id));
    if (rows.length !== filed || missing.length > 0 || byStatus.completed !== filed || badPath.length > 0) {
      throw new Error(
        `not every filed request is completed in the database: filed ${filed}, rows ${rows.length}, missing ${missing.length}, by status ${JSON.stringify(byStatus)}` +
          (badPath.length ? `; ${badPath.length} with other transitions, e.g. ${badPath.slice(0, 3).join('; ')}` : ''),
      );
    }
    progress(`database: all ${filed} requests completed, each by ${PATH_OF_A_COMPLETED_REQUEST.replaceAll('>', ' → ')}`);

    // Stages, from the database's timestamps (a transaction's start time) against the bench's own receipts.
    const stage = { submitToPending: [], approveToCompleted: [], triagePickUp: [], triageStepToSocket: [], fulfilPickUp: [], fulfilStepToSocket: [] };
    for (const row of rows) {
      const request = requests.get(row.id);
      const at = Object.fromEntries(Object.entries(row.at).map(([status, ms]) => [status, Number(ms)]));
      stage.submitToPending.push(request.pendingSeen - request.submitAnswer);
      stage.approveToCompleted.push(request.completedSeen - request.approveAnswer);
      // submit's transaction start → the triage job's transaction start: the api's commit and enqueue, the job's wait and pick-up.
      stage.triagePickUp.push(at.pending_review - at.submitted);
      // the triage transaction's start → this socket: the transaction, its commit (NOTIFY), the relay, Redis pub/sub, the api's fan-out, Socket.IO.
      stage.triageStepToSocket.push(request.pendingSeen - at.pending_review);
      stage.fulfilPickUp.push(at.completed - at.approved);
      stage.fulfilStepToSocket.push(request.completedSeen - at.completed);
    }

    const approveToCompleted = summary(stage.approveToCompleted);
    const runSeconds = (lastCompletion - startedAt) / 1000;
    const completedPerSecond = completionTimes.length / runSeconds;
    // CPU time per completed request (its three HTTP calls, two jobs, five transactions, events).
    const cpuMsPerRequest = cpu && {
      api: round((cpu.api * cpu.seconds * 1000) / filed),
      workers: round((workers.reduce((sum, _, i) => sum + cpu[`worker${i + 1}`], 0) * cpu.seconds * 1000) / filed),
      postgresThisDatabase: round((cpu.postgresThisDatabase * cpu.seconds * 1000) / filed),
      benchClient: round((cpu.benchClient * cpu.seconds * 1000) / filed),
    };
    const p99Met = approveToCompleted.p99 !== null && approveToCompleted.p99 <= TARGET.approveToCompletedP99Ms;
    // "At 50 requests/s" also means the pipeline kept up: completions while filing at (nearly) the offered rate.
    const keptUp = completedWhileSending / options.seconds >= 0.95 * options.rate;
    const http = { submit: summary(httpMs.submit), claim: summary(httpMs.claim), approve: summary(httpMs.approve) };
    const httpP99Met = Object.values(http).every((call) => call.p99 !== null && call.p99 <= TARGET.httpP99Ms);
    // Everything the platform spent on a request: api, workers and PostgreSQL (the bench client is not the platform).
    const cpuMsTotal = cpuMsPerRequest && round(cpuMsPerRequest.api + cpuMsPerRequest.workers + cpuMsPerRequest.postgresThisDatabase);
    const cpuMet = cpuMsTotal !== null && cpuMsTotal <= TARGET.cpuMsPerRequestTotal;
    return {
      benchmark: 'service-request pipeline',
      workers: options.workers,
      employees: options.employees,
      customers: options.customers,
      seconds: options.seconds,
      requests: {
        type: 'limit_increase',
        offeredPerSecond: options.rate,
        sent,
        filedPerSecond: round(filed / sendingSeconds),
        filed,
        completed: completionTimes.length,
        errors,
        inDatabase: byStatus,
      },
      completedPerSecond: round(completedPerSecond),
      completedPerSecondWhileFiling: round(completedWhileSending / options.seconds),
      runSecondsIncludingDrain: round(runSeconds),
      submitToPendingReviewMs: summary(stage.submitToPending),
      approveToCompletedMs: approveToCompleted,
      stagesMs: {
        note: 'from PostgreSQL timestamps (transaction start); pickUp = previous step’s transaction start → this job’s transaction start; stepToSocket = this job’s transaction start → seen on the socket (the transaction, the relay, Redis, the api, Socket.IO)',
        triage: { pickUp: summary(stage.triagePickUp), stepToSocket: summary(stage.triageStepToSocket) },
        fulfilment: { pickUp: summary(stage.fulfilPickUp), stepToSocket: summary(stage.fulfilStepToSocket) },
      },
      httpMs: http,
      cpuWhileFlowing: cpu,
      cpuMsPerRequest: cpuMsPerRequest && { ...cpuMsPerRequest, total: cpuMsTotal },
      target: {
        ...TARGET,
        p99Met,
        httpP99Met,
        cpuMet,
        keptUpWithOfferedRate: keptUp,
        met: options.workers === TARGET.workers && options.rate >= TARGET.requestsPerSecond && p99Met && httpP99Met && cpuMet && keptUp,
      },
    };
  } finally {
    clearInterval(report);
  }
}

platform.run(main, TIME_LIMIT_MS);
