#!/usr/bin/env node
// Benchmark (not a test) of transfers held for review (issue 17): what held transfers cost the
// fast path, and how soon an approved hold is posted. One run sets up ONE throwaway platform — a
// fresh database, `--api-processes` built api processes (LOG_LEVEL=warn, RATE_LIMITS=off), one
// worker (the outbox relay and the fulfilment jobs), `--employees` employee bots, `--customers`
// customers (1e8 each, daily limit raised so that nothing is refused), one Socket.IO client per
// customer and one per employee — and alternates three scenarios on it, `--rounds` times each
// (A, B, C, A, B, C, …; the A-to-A spread shows how much the machine drifts within a run):
//
//   A (no-holds)  C keep-alive clients posting transfers of 1..--max-amount between random
//                 customers: every one posts at once (201). The baseline.
//   B (holds)     the same, but --held-percent of them (default 5 %) are for --review-amount
//                 (REVIEW_AMOUNT, default 500000) or a little more, so the api answers 202 and
//                 files a `transfer_review` request into the employees' queue. The employee bots
//                 see it arrive (`request.updated` → pending_review on their socket), claim it and
//                 approve it at once; the worker posts the hold, and the owner's socket gets
//                 `hold.updated` with status `posted`.
//   C (held, undecided) the same traffic as B, but nobody decides during the run: only the cost
//                 of holding (the 202 with its hold, request and events). Afterwards the owners
//                 cancel C's holds (outside the measured window), which gives the reservations back.
//
// Each scenario run is a --warmup and then --seconds measured. stdout gets one JSON document per
// scenario run (201s per second, p50/p99 latency of the 201s, api CPU ms per transfer; for B the
// held count, approve → posted latency p50/p99 — from the approve call's answer to the owner's
// `hold.updated` with status posted —, and 202 → in the employees' queue), then one comparison
// document (B and C relative to A, with the A-to-A spread for scale). Progress goes to stderr.
// REVIEW_NEW_PAYEE_AMOUNT=off and REVIEW_VELOCITY=off: only the amount rule holds.
//
// Afterwards it checks: the admin ledger check balanced; every B hold `posted` with its
// transaction, every C hold `cancelled`, none pending, nothing reserved (accounts.held = 0);
// transfers in the ledger = 201s + posted holds; customers' money conserved. It fails (exit 1) otherwise. Everything it creates
// (processes, the database, the Redis keys under its prefix) is removed at the end, also on
// failure, Ctrl+C or the overall time limit. All traffic goes to 127.0.0.1.
//
//   node bench/holds-bench.mjs [--clients 64] [--seconds 10] [--warmup 2] [--rounds 2]
//        [--api-processes 2] [--customers 100] [--employees 4] [--held-percent 5]
//        [--review-amount 500000] [--max-amount 100]
//   (after `npm run build`; `npm run -s bench` runs it with the defaults)
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import pg from 'pg';
import { cpuSnapshot, cpuSplit } from './proc-cpu.mjs';
import { HOST, expectStatus, freePort, httpRequest, inParallel, parseNumberOptions, percentile, progress, round, sleep } from './lib.mjs';
import { BenchPlatform } from './platform.mjs';

const ADMIN = { email: 'bench-admin@bench.bankingcore.local', password: 'bench-admin-password-2026' };
const PASSWORD = 'bench-password-123';
const INITIAL_DEPOSIT = 100_000_000;
const DAILY_LIMIT = 1e15; // nothing is refused for the daily limit: held amounts count against it
/** After a B run's last answer, how long the employees and the worker may take to post what is left. */
const DRAIN_LIMIT_MS = 30_000;

const USAGE =
  'usage: node bench/holds-bench.mjs [--clients 64] [--seconds 10] [--warmup 2] [--rounds 2] [--api-processes 2] [--customers 100] ' +
  '[--employees 4] [--held-percent 5] [--review-amount 500000] [--max-amount 100]\n';

function parseArgs(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(USAGE);
    process.exit(0);
  }
  const options = parseNumberOptions(
    argv,
    { clients: 64, seconds: 10, warmup: 2, rounds: 2, apiProcesses: 2, customers: 100, employees: 4, heldPercent: 5, reviewAmount: 500_000, maxAmount: 100 },
    {
      '--clients': 'clients',
      '--seconds': 'seconds',
      '--warmup': 'warmup',
      '--rounds': 'rounds',
      '--api-processes': 'apiProcesses',
      '--customers': 'customers',
      '--employees': 'employees',
      '--held-percent': 'heldPercent',
      '--review-amount': 'reviewAmount',
      '--max-amount': 'maxAmount',
    },
  );
  for (const key of ['clients', 'rounds', 'apiProcesses', 'customers', 'employees', 'reviewAmount', 'maxAmount']) {
    if (!Number.isInteger(options[key])) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number`);
  }
  if (options.apiProcesses > 8) throw new Error('--api-processes must be 1..8');
  if (options.customers < 3) throw new Error('--customers must be ≥ 3');
  if (options.heldPercent > 100) throw new Error('--held-percent must be ≤ 100');
  if (options.maxAmount >= options.reviewAmount) throw new Error('--max-amount must stay below --review-amount (the fast path must not be held)');
  return options;
}

const options = parseArgs(process.argv.slice(2));
const platform = new BenchPlatform('holds', {
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  ACCESS_TOKEN_TTL_S: '3600', // everyone logs in once
  REVIEW_AMOUNT: String(options.reviewAmount),
  REVIEW_NEW_PAYEE_AMOUNT: 'off',
  REVIEW_VELOCITY: 'off',
});
const suffix = platform.suffix;
let sql = null; // the bench's own pg.Client on the platform's database
let stopping = false;

const summary = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? null) };
};
const ratio = (a, b) => (a === null || b === null || b === undefined || !b ? null : round(a / b, 3));
const mean = (values) => (values.length === 0 || values.some((value) => value === null) ? null : values.reduce((a, b) => a + b, 0) / values.length);

// ---------------------------------------------------------------------------------------------
// The platform: api processes (LOG_LEVEL=warn, like the transfers benchmark: no line per request
// to wait for, so readiness is polled), one worker

async function startApi() {
  const port = await freePort();
  const started = platform.start('dist/apps/api/src/main.js', { PORT: String(port), HOST, READY_REQUIRES_WORKER: 'false', LOG_LEVEL: 'warn' }, /api listening/);
  const child = platform.children.at(-1);
  let failure = null;
  started.catch((error) => (failure ??= error)); // at warn there is no "api listening" line: only an exit counts
  const agent = new http.Agent({ keepAlive: false });
  const deadline = performance.now() + 90_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`api exited during start-up: ${failure?.message ?? ''}`);
    const response = await httpRequest(agent, port, 'GET', '/health/ready', { timeoutMs: 2_000 });
    if (response.status === 200) return { port, pid: child.pid, child };
    await sleep(250);
  }
  throw new Error(`api on port ${port} not ready in 90 s`);
}

// ---------------------------------------------------------------------------------------------
// One scenario run: C closed-loop clients for warm-up + T seconds

async function driveTransfers(label, heldShare, ctx) {
  const { apis, agents, customers } = ctx;
  const measureFrom = performance.now() + options.warmup * 1000;
  const stopAt = measureFrom + options.seconds * 1000;
  const tally = { fastLatencies: [], heldLatencies: [], ok201: 0, held202: 0, statuses: {}, errorSamples: [], warmup: { ok201: 0, held202: 0 }, lastCompletedAt: measureFrom };
  let window = null;
  const startWindow = setTimeout(() => {
    window = { api: cpuSnapshot(apis.map((api) => api.pid)), worker: cpuSnapshot([ctx.workerPid]) };
  }, options.warmup * 1000);
  let keyCounter = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    progress(`${label} ${now < measureFrom ? 'warm-up' : 'measuring'} ${Math.max(0, (now - measureFrom) / 1000).toFixed(0).padStart(3)}/${options.seconds}s: 201 ${tally.ok201}, 202 ${tally.held202}, posted so far ${ctx.posted.size}/${ctx.holds.size}`);
  }, 2_000);

  const client = async (clientIndex) => {
    const api = apis[clientIndex % apis.length];
    const agent = agents[clientIndex % apis.length];
    while (!stopping) {
      const startedAt = performance.now();
      if (startedAt >= stopAt) return;
      const from = Math.floor(Math.random() * customers.length);
      let to = Math.floor(Math.random() * (customers.length - 1));
      if (to >= from) to++;
      const sender = customers[from];
      const held = heldShare > 0 && Math.random() < heldShare;
      const amount = held ? options.reviewAmount + Math.floor(Math.random() * 100) : 1 + Math.floor(Math.random() * options.maxAmount);
      const response = await httpRequest(agent, api.port, 'POST', '/api/v1/transfers', {
        body: { fromAccountId: sender.accountId, toAccountNumber: customers[to].accountNumber, amount, description: 'bench' },
        headers: { authorization: `Bearer ${sender.token}`, 'idempotency-key': `holds-${suffix}-${label}-${clientIndex}-${++keyCounter}` },
      });
      const endedAt = performance.now();
      const measured = startedAt >= measureFrom;
      if (response.status === 201) {
        ctx.answered201++;
        if (!measured) tally.warmup.ok201++;
        else {
          tally.ok201++;
          tally.fastLatencies.push(endedAt - startedAt);
        }
      } else if (response.status === 202) {
        const hold = JSON.parse(response.text).hold;
        ctx.holds.set(hold.id, { answeredAt: endedAt, requestId: hold.requestId, owner: sender, scenario: label[0] });
        ctx.holdOfRequest.set(hold.requestId, hold.id);
        if (!measured) tally.warmup.held202++;
        else {
          tally.held202++;
          tally.heldLatencies.push(endedAt - startedAt);
        }
      } else {
        tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
        if (tally.errorSamples.length < 3) tally.errorSamples.push(`${amount}: ${response.status} ${String(response.text).slice(0, 300)}`);
      }
      if (measured) tally.lastCompletedAt = Math.max(tally.lastCompletedAt, endedAt);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(ticker);
    clearTimeout(startWindow);
  }
  if (!window) throw new Error(`${label}: the measured window never started`);
  const cpu = { api: cpuSplit(window.api, cpuSnapshot(apis.map((api) => api.pid)), 'api'), worker: cpuSplit(window.worker, cpuSnapshot([ctx.workerPid]), 'worker') };
  return { tally, cpu, measuredSeconds: (tally.lastCompletedAt - measureFrom) / 1000 };
}

/** Waits until every one of `ids` is seen on its owner's socket in `seen` (posted or cancelled), or the limit passes. */
async function drainHolds(label, ctx, ids, seen, what) {
  const deadline = performance.now() + DRAIN_LIMIT_MS;
  while (performance.now() < deadline && !stopping) {
    if (ctx.errors.length > 0) throw new Error(`employee bots: ${ctx.errors.slice(0, 3).join('; ')}`);
    if (ids.every((id) => seen.has(id))) return;
    await sleep(50);
  }
  const missing = ids.filter((id) => !seen.has(id));
  if (missing.length > 0) progress(`${label}: ${missing.length} hold(s) not seen ${what} within ${DRAIN_LIMIT_MS / 1000} s (the database check decides)`);
}

/** Scenario C's holds, undecided during the run, cancelled by their owners afterwards (outside the measured window). */
async function cancelHolds(ids, ctx) {
  await inParallel(ids, 16, async (id) => {
    const hold = ctx.holds.get(id);
    const api = ctx.apis[hold.owner.index % ctx.apis.length];
    const agent = ctx.agents[hold.owner.index % ctx.apis.length];
    await expectStatus(await httpRequest(agent, api.port, 'POST', `/api/v1/holds/${id}/cancel`, { headers: { authorization: `Bearer ${hold.owner.token}` } }), 200, 'cancel hold');
  });
}

function scenarioDocument(name, round_, heldShare, run, ctx, holdsOfRun, decided) {
  const { tally, cpu, measuredSeconds } = run;
  const fast = summary(tally.fastLatencies);
  const requests = tally.ok201 + tally.held202 + Object.values(tally.statuses).reduce((a, b) => a + b, 0);
  const perSecond201 = measuredSeconds > 0 ? round(tally.ok201 / measuredSeconds) : null;
  const requestsPerSecond = measuredSeconds > 0 ? round(requests / measuredSeconds) : null;
  const cpuMs = (cores, per) => (cores === null || !per ? null : round((cores * 1000) / per, 3));
  const doc = {
    benchmark: 'holds',
    scenario: name,
    round: round_,
    heldPercentOffered: heldShare * 100,
    clients: options.clients,
    seconds: options.seconds,
    warmupSeconds: options.warmup,
    apiProcesses: options.apiProcesses,
    customers: options.customers,
    employees: options.employees,
    reviewAmount: options.reviewAmount,
    fastPath: {
      ok201: tally.ok201,
      perSecond201,
      latencyMs201: fast,
    },
    requestsPerSecond,
    errors: tally.statuses,
    errorSamples: tally.errorSamples,
    cpuMsPerTransfer: {
      note: 'api processes (all of them) over the measured window ÷ transfers answered (201 + 202); perFast201: ÷ the 201s only. In B the api also serves the employees’ claim/approve calls and the hold events.',
      api: cpuMs(cpu.api.api, requestsPerSecond),
      apiPer201: cpuMs(cpu.api.api, perSecond201),
      postgres: cpuMs(cpu.api.postgres, requestsPerSecond),
      postgresPer201: cpuMs(cpu.api.postgres, perSecond201),
      worker: cpuMs(cpu.worker.worker, requestsPerSecond),
    },
    cpuDuringTransfers: { ...cpu.api, worker: cpu.worker.worker },
    measuredSeconds: round(measuredSeconds, 2),
    warmupAnswers: tally.warmup,
  };
  if (heldShare > 0) {
    const approveToPosted = [];
    const heldToQueue = [];
    for (const id of holdsOfRun) {
      const hold = ctx.holds.get(id);
      if (hold.approveAnswerAt !== undefined && ctx.posted.has(id)) approveToPosted.push(ctx.posted.get(id) - hold.approveAnswerAt);
      const queued = ctx.queuedAt.get(hold.requestId);
      if (queued !== undefined) heldToQueue.push(queued - hold.answeredAt);
    }
    doc.held = {
      held202: tally.held202,
      heldShareMeasured: round(tally.held202 / Math.max(1, tally.ok201 + tally.held202), 4),
      heldInRunIncludingWarmup: holdsOfRun.length,
      decidedDuringRun: decided,
      postedSeen: holdsOfRun.filter((id) => ctx.posted.has(id)).length,
      latencyMs202: summary(tally.heldLatencies),
      // From the approve call's HTTP answer to the owner's hold.updated {status: posted}: the
      // fulfilment job's pick-up, the posting, the outbox relay, Redis and the push.
      approveToPostedMs: summary(approveToPosted),
      // From the 202 to the employees' request.updated {status: pending_review} (negative: the event came first).
      heldToEmployeeQueueMs: summary(heldToQueue),
      employeeHttpMs: { claim: summary(ctx.httpMs.claim.splice(0)), approve: summary(ctx.httpMs.approve.splice(0)) },
    };
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  progress(
    `holds: scenarios A (0 % held) and B (${options.heldPercent} % held at ≥ ${options.reviewAmount}), ${options.rounds} round(s), ${options.clients} clients, ` +
      `${options.warmup} + ${options.seconds} s each, ${options.apiProcesses} api process(es), 1 worker, ${options.customers} customers, ${options.employees} employees; database ${platform.database}`,
  );
  const apis = [await startApi()]; // the first one migrates and creates the admin
  for (let i = 1; i < options.apiProcesses; i++) apis.push(await startApi());
  const workerUp = platform.start('dist/apps/worker/src/main.js', {}, /outbox relay is the leader/);
  workerUp.catch(() => {}); // awaited below
  const agents = apis.map(() => new http.Agent({ keepAlive: true, maxSockets: options.clients + 8, maxFreeSockets: options.clients + 8 }));
  const employeeAgent = new http.Agent({ keepAlive: true, maxSockets: options.employees + 4 });
  const call = (i, method, path, token, body) => httpRequest(agents[i % apis.length], apis[i % apis.length].port, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (i, email, password) => (await expectStatus(await call(i, 'POST', '/api/v1/auth/login', null, { email, password }), 200, `login ${email}`)).accessToken;
  progress(`api up on port(s) ${apis.map((api) => api.port).join(', ')}; creating employees and registering ${options.customers} customers`);

  const adminToken = await login(0, ADMIN.email, ADMIN.password);
  const employees = await inParallel(Array.from({ length: options.employees }, (_, i) => i), 4, async (i) => {
    const email = `holds-employee-${suffix}-${i}@bench.bankingcore.local`;
    await expectStatus(await call(0, 'POST', '/api/v1/admin/staff', adminToken, { email, password: PASSWORD, fullName: `Bench Employee ${i}`, role: 'employee' }), 201, 'create employee');
    return { token: await login(0, email, PASSWORD) };
  });
  const customers = await inParallel(Array.from({ length: options.customers }, (_, i) => i), 4 * apis.length, async (i) => {
    const email = `holds-${suffix}-${i}@bench.bankingcore.local`;
    const registered = await expectStatus(
      await call(i, 'POST', '/api/v1/auth/register', null, { email, password: PASSWORD, fullName: `Bench Customer ${i}`, pin: '1234', initialDeposit: INITIAL_DEPOSIT }),
      201,
      'register',
    );
    return { index: i, accountId: registered.account.id, accountNumber: registered.account.number, token: await login(i, email, PASSWORD) };
  });
  sql = new pg.Client({ connectionString: `postgres://postgres@${HOST}:5432/${platform.database}`, connectionTimeoutMillis: 10_000 });
  await sql.connect();
  // Held amounts count against the daily limit (default 1,000,000): raise it for the bench customers.
  await sql.query(`update accounts set daily_limit = $1 where kind = 'customer'`, [DAILY_LIMIT]);
  const worker = await workerUp;
  progress(`worker up (the outbox relay leader); ${employees.length} employees and ${customers.length} customers; connecting sockets`);

  const ctx = {
    apis,
    agents,
    customers,
    workerPid: worker.pid,
    holds: new Map(), // hold id → { answeredAt, requestId, approveAnswerAt }
    holdOfRequest: new Map(), // request id → hold id
    queuedAt: new Map(), // request id → when the employees' socket saw it pending_review
    posted: new Map(), // hold id → when its owner's socket saw it posted
    cancelled: new Set(), // hold ids their owner's socket saw cancelled (scenario C's, afterwards)
    deciding: false, // the bots take new reviews (B) or leave them (C)
    httpMs: { claim: [], approve: [] },
    errors: [],
    answered201: 0,
  };
  const socketsLost = [];
  const connect = (port, token, listen) =>
    new Promise((done, fail) => {
      const socket = io(`http://${HOST}:${port}`, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
      platform.sockets.push(socket);
      listen(socket);
      socket.once('connect', () => {
        socket.on('disconnect', (reason) => !stopping && socketsLost.push(reason));
        done(socket);
      });
      socket.once('connect_error', fail);
    });
  // The owners: hold.updated {status: posted}.
  await inParallel(customers, 20, (customer) =>
    connect(apis[customer.index % apis.length].port, customer.token, (socket) =>
      socket.on('hold.updated', ({ data }) => {
        if (data.status === 'posted' && !ctx.posted.has(data.id)) ctx.posted.set(data.id, performance.now());
        else if (data.status === 'cancelled') ctx.cancelled.add(data.id);
        else if (data.status !== 'posted' && data.status !== 'pending') ctx.errors.push(`hold ${data.id} became ${data.status}`);
      }),
    ),
  );
  // The employee bots: a request entering the queue goes to the next free bot, which claims and approves it.
  const queue = [];
  const seenRequests = new Set();
  let wake = null;
  const enqueue = (requestId) => {
    if (seenRequests.has(requestId) || !ctx.deciding) return; // a duplicate delivery, or scenario C's
    seenRequests.add(requestId);
    ctx.queuedAt.set(requestId, performance.now());
    queue.push(requestId);
    wake?.();
  };
  await connect(apis[0].port, employees[0].token, (socket) =>
    socket.on('request.updated', ({ data }) => {
      if (data.type === 'transfer_review' && data.status === 'pending_review') enqueue(data.id);
    }),
  );
  const employeeCall = (method, path, token, body) => httpRequest(employeeAgent, apis[0].port, method, path, { body, headers: { authorization: `Bearer ${token}` } });
  const bot = async (employee) => {
    while (!stopping) {
      const requestId = queue.shift();
      if (requestId === undefined) {
        await new Promise((done) => {
          wake = done;
          setTimeout(done, 200);
        });
        continue;
      }
      let sentAt = performance.now();
      const claim = await employeeCall('POST', `/api/v1/service-requests/${requestId}/claim`, employee.token, {});
      ctx.httpMs.claim.push(performance.now() - sentAt);
      if (claim.status !== 200) {
        ctx.errors.push(`claim ${claim.status}: ${String(claim.text).slice(0, 200)}`);
        continue;
      }
      sentAt = performance.now();
      const approve = await employeeCall('POST', `/api/v1/service-requests/${requestId}/approve`, employee.token, { note: 'bench: approved' });
      const answeredAt = performance.now();
      ctx.httpMs.approve.push(answeredAt - sentAt);
      if (approve.status !== 200) {
        ctx.errors.push(`approve ${approve.status}: ${String(approve.text).slice(0, 200)}`);
        continue;
      }
      // The 202 may not have reached its client yet (the event can come first): keyed by request, resolved later.
      ctx.approvedAt ??= new Map();
      ctx.approvedAt.set(requestId, answeredAt);
    }
  };
  const bots = employees.map((employee) => bot(employee));

  const docs = [];
  const runs = { A: [], B: [], C: [] };
  for (let r = 1; r <= options.rounds; r++) {
    for (const [name, heldShare, decided] of [['A', 0, false], ['B', options.heldPercent / 100, true], ['C', options.heldPercent / 100, false]]) {
      const label = `${name}${options.rounds > 1 ? `#${r}` : ''}`;
      const holdsBefore = new Set(ctx.holds.keys());
      progress(`${label}: ${heldShare * 100} % held${heldShare > 0 && !decided ? ' (undecided)' : ''}, ${options.clients} clients over ${apis.length} api process(es)`);
      ctx.deciding = decided;
      const run = await driveTransfers(label, heldShare, ctx);
      if (stopping) return null;
      const heldNow = [...ctx.holds.keys()].filter((id) => !holdsBefore.has(id));
      if (heldShare > 0 && decided) await drainHolds(label, ctx, heldNow, ctx.posted, 'posted');
      for (const [requestId, at] of ctx.approvedAt ?? []) {
        const hold = ctx.holds.get(ctx.holdOfRequest.get(requestId));
        if (hold) hold.approveAnswerAt = at;
      }
      const holdsOfRun = [...ctx.holds.keys()].filter((id) => !holdsBefore.has(id));
      const doc = scenarioDocument(name, r, heldShare, run, ctx, holdsOfRun, decided);
      if (heldShare > 0 && !decided) {
        await cancelHolds(heldNow, ctx);
        await drainHolds(label, ctx, heldNow, ctx.cancelled, 'cancelled');
      }
      docs.push(doc);
      runs[name].push(doc);
      progress(
        `${label}: ${doc.fastPath.perSecond201} 201s/s, p50 ${doc.fastPath.latencyMs201.p50} ms, p99 ${doc.fastPath.latencyMs201.p99} ms, api ${doc.cpuMsPerTransfer.api} ms CPU/transfer` +
          (doc.held ? `; held ${doc.held.held202} (+ warm-up)` : '') +
          (doc.held && decided ? `, approve → posted p50 ${doc.held.approveToPostedMs.p50} ms p99 ${doc.held.approveToPostedMs.p99} ms` : ''),
      );
      if (Object.keys(run.tally.statuses).length > 0) throw new Error(`${label}: unexpected answers ${JSON.stringify(run.tally.statuses)}: ${run.tally.errorSamples.join(' | ')}`);
      if (ctx.errors.length > 0) throw new Error(`employee bots: ${ctx.errors.slice(0, 3).join('; ')}`);
      if (socketsLost.length > 0) throw new Error(`${socketsLost.length} socket(s) disconnected (${socketsLost[0]})`);
      await sleep(500);
    }
  }
  stopping = true; // the bots stop
  await Promise.all(bots);

  // The checks: the ledger, every B hold posted and every C hold cancelled, nothing reserved, money conserved.
  const ledger = await expectStatus(
    await httpRequest(agents[0], apis[0].port, 'GET', '/api/v1/admin/ledger/check', { headers: { authorization: `Bearer ${adminToken}` }, timeoutMs: 60_000 }),
    200,
    'ledger check',
  );
  const { rows: holdRows } = await sql.query(
    `select h.id::text, h.status, h.transaction_id is not null as has_transaction, t.id is not null as transaction_found
     from holds h left join ledger_transactions t on t.id = h.transaction_id`,
  );
  const { rows: totals } = await sql.query(
    `select (select count(*) from ledger_transactions where kind = 'transfer')::int as transfers,
            (select coalesce(sum(balance), 0) from accounts where kind = 'customer')::text as customer_balance,
            (select coalesce(sum(held), 0) from accounts)::text as held`,
  );
  const byStatus = {};
  for (const row of holdRows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const rowOf = new Map(holdRows.map((row) => [row.id, row]));
  const decidedHolds = [...ctx.holds].filter(([, hold]) => hold.scenario === 'B').map(([id]) => id);
  const undecidedHolds = [...ctx.holds].filter(([, hold]) => hold.scenario === 'C').map(([id]) => id);
  const postedHolds = decidedHolds.filter((id) => rowOf.get(id)?.status === 'posted' && rowOf.get(id).has_transaction && rowOf.get(id).transaction_found).length;
  const checks = {
    ledgerBalanced: ledger.balanced === true,
    sumOfBalances: ledger.sumOfBalances,
    holdsAnswered202: ctx.holds.size,
    holdsInDatabase: holdRows.length,
    holdsByStatus: byStatus,
    everyDecidedHoldPosted: holdRows.length === ctx.holds.size && postedHolds === decidedHolds.length,
    everyUndecidedHoldCancelled: undecidedHolds.every((id) => rowOf.get(id)?.status === 'cancelled' && !rowOf.get(id).has_transaction),
    everyHoldSeenOnSocket: decidedHolds.every((id) => ctx.posted.has(id)) && undecidedHolds.every((id) => ctx.cancelled.has(id)),
    reservedAfterwards: Number(totals[0].held),
    transfersInLedger: totals[0].transfers,
    transfersExpected: ctx.answered201 + decidedHolds.length,
    customerMoney: Number(totals[0].customer_balance),
    customerMoneyExpected: customers.length * INITIAL_DEPOSIT,
  };
  checks.all =
    checks.ledgerBalanced && checks.everyDecidedHoldPosted && checks.everyUndecidedHoldCancelled && checks.reservedAfterwards === 0 && checks.transfersInLedger === checks.transfersExpected && checks.customerMoney === checks.customerMoneyExpected;
  progress(
    `checks: ledger balanced ${checks.ledgerBalanced}, holds ${JSON.stringify(byStatus)} of ${ctx.holds.size} answered 202, reserved ${checks.reservedAfterwards}, ` +
      `transfers ${checks.transfersInLedger}/${checks.transfersExpected}, money conserved ${checks.customerMoney === checks.customerMoneyExpected}`,
  );

  // B and C relative to A. Every request that is held is not a 201, so the 201s/s are at best
  // (1 − held share) × A's; `normalised` divides that out. The A-to-A spread is the noise floor.
  const avg = (list, pick) => mean(list.map(pick));
  const means = (list) => ({
    perSecond201: avg(list, (d) => d.fastPath.perSecond201),
    requestsPerSecond: avg(list, (d) => d.requestsPerSecond),
    p50: avg(list, (d) => d.fastPath.latencyMs201.p50),
    p99: avg(list, (d) => d.fastPath.latencyMs201.p99),
    cpu: avg(list, (d) => d.cpuMsPerTransfer.api),
    cpuPer201: avg(list, (d) => d.cpuMsPerTransfer.apiPer201),
    postgres: avg(list, (d) => d.cpuMsPerTransfer.postgres),
    heldShare: list[0]?.held ? avg(list, (d) => d.held.heldShareMeasured) : 0,
  });
  const a = means(runs.A);
  const b = means(runs.B);
  const c = means(runs.C);
  const versusA = (x) => ({
    fast201PerSecond: { A: round(a.perSecond201), value: round(x.perSecond201), ratio: ratio(x.perSecond201, a.perSecond201) },
    fast201PerSecondNormalised: a.perSecond201 && x.heldShare !== null ? round(x.perSecond201 / ((1 - x.heldShare) * a.perSecond201), 3) : null,
    transfersAnsweredPerSecond: { A: round(a.requestsPerSecond), value: round(x.requestsPerSecond), ratio: ratio(x.requestsPerSecond, a.requestsPerSecond) },
    latencyMs201: { p50: { A: round(a.p50), value: round(x.p50), ratio: ratio(x.p50, a.p50) }, p99: { A: round(a.p99), value: round(x.p99), ratio: ratio(x.p99, a.p99) } },
    apiCpuMsPerTransfer: { A: round(a.cpu, 3), value: round(x.cpu, 3), ratio: ratio(x.cpu, a.cpu), per201: round(x.cpuPer201, 3) },
    postgresCpuMsPerTransfer: { A: round(a.postgres, 3), value: round(x.postgres, 3), ratio: ratio(x.postgres, a.postgres) },
  });
  const spread = (pick) => {
    const values = runs.A.map(pick).filter((value) => value !== null);
    return values.length < 2 ? null : round((Math.max(...values) - Math.min(...values)) / mean(values), 3);
  };
  const allApproveToPosted = [];
  for (const [id, hold] of ctx.holds) if (hold.approveAnswerAt !== undefined && ctx.posted.has(id)) allApproveToPosted.push(ctx.posted.get(id) - hold.approveAnswerAt);
  const comparison = {
    benchmark: 'holds',
    scenario: 'comparison (B ÷ A and C ÷ A, means over the rounds)',
    rounds: options.rounds,
    heldPercentOffered: options.heldPercent,
    heldShareMeasured: { B: round(b.heldShare, 4), C: round(c.heldShare, 4) },
    note:
      'fast201PerSecondNormalised = the 201s/s ÷ ((1 − held share) × A’s 201s/s): 1.0 = the held transfers cost the 201s nothing, below 1 = they cost something. ' +
      'B = held and decided live (the whole review workload on the same cores); C = held, undecided (the cost of holding alone).',
    B: versusA(b),
    C: versusA(c),
    noiseFloor: {
      note: 'spread between the A runs ((max − min) ÷ mean): a B ÷ A difference smaller than this is not measurable on this machine',
      perSecond201: spread((d) => d.fastPath.perSecond201),
      p99: spread((d) => d.fastPath.latencyMs201.p99),
      apiCpuMsPerTransfer: spread((d) => d.cpuMsPerTransfer.api),
    },
    approveToPostedMsAllRounds: summary(allApproveToPosted),
    checks,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
  };
  docs.push(comparison);
  if (!checks.all) {
    for (const doc of docs) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    throw new Error(`checks failed: ${JSON.stringify(checks)}`);
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// Run: documents on stdout, everything removed afterwards (also on failure, Ctrl+C or the time limit)

let finishing = false;
const finish = async (exitCode) => {
  finishing = true;
  stopping = true;
  await sql?.end().catch(() => {});
  await platform.cleanup().catch((error) => progress(`clean-up: ${error.message}`));
  progress(`cleaned up: processes stopped, database ${platform.database} dropped, Redis keys under ${platform.redisPrefix} deleted`);
  process.exit(exitCode);
};
const timeLimitS = 240 + options.customers * 0.2 + options.rounds * 3 * (options.warmup + options.seconds + DRAIN_LIMIT_MS / 1000 + 5);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (finishing) process.exit(130); // a second signal: do not wait for the clean-up
    progress(`received ${signal}; cleaning up`);
    void finish(130);
  });
}
const overall = setTimeout(() => {
  progress(`overall time limit of ${Math.round(timeLimitS)} s reached; cleaning up`);
  void finish(124);
}, timeLimitS * 1000);
overall.unref();
main().then(
  async (docs) => {
    if (!docs) return;
    clearTimeout(overall);
    for (const doc of docs) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    await finish(0);
  },
  async (error) => {
    progress(`failed: ${error?.stack ?? error}`);
    await finish(1);
  },
);
