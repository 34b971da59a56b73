#!/usr/bin/env node
// Benchmark (not a test) of the service-request pipeline: submit → `pending_review` (the triage
// job) and approve → `completed` (the fulfilment job), as seen live on an employee's socket, and
// completed requests per second, with W worker processes. One run: a fresh database, one api
// process, the workers, customers filing `limit_increase` requests at a steady (open-loop) rate
// for T seconds while employees claim and approve each as soon as it is triaged. Progress to
// stderr, one JSON document to stdout; everything it creates is removed at the end. Latencies are
// from the HTTP answer to the event; negative ones mean the event arrived first.
//
//   node bench/pipeline-bench.mjs [--rate 50] [--seconds 15] [--workers 2] [--employees 10] [--customers 50]
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { HOST, expectStatus, httpRequest, inParallel, parseNumberOptions, percentile, progress, round, sleep } from './lib.mjs';
import { BenchPlatform } from './platform.mjs';

const TARGET = { approveToCompletedP99Ms: 250, requestsPerSecond: 50, workers: 2 };
const ADMIN = { email: 'bench-admin@bench.bankingcore.local', password: 'bench-admin-password-2026' };
const PASSWORD = 'bench-password-123';

const parseArgs = (argv) => parseNumberOptions(argv, { rate: 50, seconds: 15, workers: 2, employees: 10, customers: 50 }, { '--rate': 'rate', '--seconds': 'seconds', '--workers': 'workers', '--employees': 'employees', '--customers': 'customers' });

const platform = new BenchPlatform('pipeline', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? null) };
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  progress(`pipeline: ${options.rate} requests/s for ${options.seconds} s, ${options.workers} workers, ${options.employees} employees`);
  const port = await platform.startApi();
  for (let i = 0; i < options.workers; i++) await platform.startWorker();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const call = (method, path, token, body) => httpRequest(agent, port, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (email, password) => (await expectStatus(await call('POST', '/api/v1/auth/login', null, { email, password }), 200, 'login')).accessToken;

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
  progress(`api, ${options.workers} workers, ${employees.length} employees and ${customers.length} customers up`);

  // One employee socket observes every request.updated (room role:employee).
  const submittedAt = new Map();
  const approvedAt = new Map();
  const triageMs = [];
  const fulfilMs = [];
  const completedAt = [];
  const errors = {};
  const count = (what) => (errors[what] = (errors[what] ?? 0) + 1);
  const triagedBeforeAnswer = new Map();
  const completedBeforeAnswer = new Map();
  let nextEmployee = 0;
  const triaged = (requestId, latencyMs) => {
    triageMs.push(latencyMs);
    void decide(requestId).catch(() => count('decide failed'));
  };
  const decide = async (requestId) => {
    const token = employees[nextEmployee++ % employees.length];
    const claim = await call('POST', `/api/v1/service-requests/${requestId}/claim`, token, {});
    if (claim.status !== 200) return count(`claim ${claim.status}`);
    const approve = await call('POST', `/api/v1/service-requests/${requestId}/approve`, token, {});
    if (approve.status !== 200) return count(`approve ${approve.status}`);
    const answeredAt = performance.now();
    approvedAt.set(requestId, answeredAt);
    if (completedBeforeAnswer.has(requestId)) fulfilMs.push(completedBeforeAnswer.get(requestId) - answeredAt);
  };
  await new Promise((done, fail) => {
    const socket = io(`http://${HOST}:${port}`, { path: '/socket.io', transports: ['websocket'], auth: { token: employees[0] }, reconnection: false, forceNew: true });
    platform.sockets.push(socket);
    socket.on('request.updated', ({ data }) => {
      const now = performance.now();
      if (data.status === 'pending_review') {
        // The event may beat the 202 answer to this client: then it is matched when the answer lands.
        if (submittedAt.has(data.id)) triaged(data.id, now - submittedAt.get(data.id));
        else triagedBeforeAnswer.set(data.id, now);
      } else if (data.status === 'completed') {
        completedAt.push(now);
        if (approvedAt.has(data.id)) fulfilMs.push(now - approvedAt.get(data.id));
        else completedBeforeAnswer.set(data.id, now);
      }
    });
    socket.once('connect', done);
    socket.once('connect_error', fail);
  });

  progress(`filing requests at ${options.rate}/s for ${options.seconds} s`);
  let sent = 0;
  let inFlight = 0;
  const startedAt = performance.now();
  const endAt = startedAt + options.seconds * 1000;
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
        call('POST', '/api/v1/service-requests', customer.token, { type: 'limit_increase', accountId: customer.accountId, details: { dailyLimit: 1_000_000 + sent } }).then((response) => {
          inFlight--;
          if (response.status !== 202) return count(`submit ${response.status}`);
          const id = JSON.parse(response.text).id;
          const answeredAt = performance.now();
          submittedAt.set(id, answeredAt);
          if (triagedBeforeAnswer.has(id)) triaged(id, triagedBeforeAnswer.get(id) - answeredAt);
        });
      }
    }, 5);
  });
  while (inFlight > 0) await sleep(10);
  progress(`${submittedAt.size} filed; waiting for the pipeline to drain`);
  const drainDeadline = performance.now() + 20_000;
  while (completedAt.length < submittedAt.size && performance.now() < drainDeadline) await sleep(50);
  const lastCompletion = completedAt.length ? Math.max(...completedAt) : performance.now();

  // Every filed request must have reached `completed`: asked of the api, as a client would.
  const byStatus = {};
  const stuck = [];
  await inParallel([...submittedAt.keys()], 16, async (id) => {
    const answer = await call('GET', `/api/v1/service-requests/${id}`, employees[0]);
    const status = answer.status === 200 ? JSON.parse(answer.text).status : `http ${answer.status}`;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status !== 'completed') stuck.push(id);
  });
  if (stuck.length > 0) throw new Error(`${stuck.length} of ${submittedAt.size} requests did not complete: ${JSON.stringify(byStatus)}`);

  const approveToCompleted = summary(fulfilMs);
  return {
    benchmark: 'service-request pipeline',
    workers: options.workers,
    employees: options.employees,
    seconds: options.seconds,
    requests: { targetPerSecond: options.rate, filed: submittedAt.size, completed: completedAt.length, errors, byStatus },
    completedPerSecond: round(completedAt.length / ((lastCompletion - startedAt) / 1000)),
    submitToPendingReviewMs: summary(triageMs),
    approveToCompletedMs: approveToCompleted,
    target: { ...TARGET, met: options.workers === TARGET.workers && options.rate >= TARGET.requestsPerSecond && approveToCompleted.p99 !== null && approveToCompleted.p99 <= TARGET.approveToCompletedP99Ms },
  };
}

platform.run(main);
