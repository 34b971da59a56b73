#!/usr/bin/env node
// Benchmark (not a test) of live-event push latency: the time from a transfer's HTTP answer to
// the recipient's `balance.updated` on a socket. One run: a fresh database, the built worker (the
// outbox relay) and N api processes, customers registered over HTTP, S Socket.IO clients spread
// over the customers and the api processes, then transfers at a steady (open-loop) rate for T
// seconds (default 300/s for 15 s). Progress to stderr, one JSON document to stdout: deliveries
// received vs expected, latency p50/p90/p99/max, the achieved rate, and `targetMet` against
// issue 14's target (every event delivered, p99 ≤ 100 ms at 300 transfers/s offered).
// Everything it creates is removed at the end, also on failure or Ctrl+C. All traffic goes to
// 127.0.0.1.
//
//   node bench/push-latency-bench.mjs [--sockets 1000] [--rate 300] [--seconds 15]
//                                     [--api-processes 2] [--customers 200]
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { HOST, expectStatus, httpRequest, inParallel, parseNumberOptions, percentile, progress, round, sleep } from './lib.mjs';
import { BenchPlatform } from './platform.mjs';
const TARGET = { offeredTransfersPerSecond: 300, p99Ms: 100, missingDeliveries: 0 };
const MAX_IN_FLIGHT = 256;

const parseArgs = (argv) => parseNumberOptions(argv, { sockets: 1000, rate: 300, seconds: 15, apiProcesses: 2, customers: 200 }, { '--sockets': 'sockets', '--rate': 'rate', '--seconds': 'seconds', '--api-processes': 'apiProcesses', '--customers': 'customers' });

/** Every event delivered and p99 within the limit, with the target rate offered and (95% of it) achieved. */
function targetMet(options, achievedPerSecond, deliveries, latencyMs) {
  const everyEventDelivered = deliveries.expected > 0 && deliveries.missing === 0;
  const p99Ms = latencyMs.p99 !== null && latencyMs.p99 <= TARGET.p99Ms;
  const atTargetRate = options.rate >= TARGET.offeredTransfersPerSecond && achievedPerSecond >= 0.95 * TARGET.offeredTransfersPerSecond;
  return { everyEventDelivered, p99Ms, atTargetRate, all: everyEventDelivered && p99Ms && atTargetRate };
}

const platform = new BenchPlatform('push');
const suffix = platform.suffix;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  progress(`push latency: ${options.sockets} sockets, ${options.rate} transfers/s for ${options.seconds} s, ${options.apiProcesses} api processes`);
  await platform.start('dist/apps/worker/src/main.js', {}, /outbox relay is the leader/);
  const ports = [];
  for (let i = 0; i < options.apiProcesses; i++) ports.push(await platform.startApi());
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }));
  progress(`worker and ${ports.length} api processes up; registering ${options.customers} customers`);

  const customers = await inParallel(Array.from({ length: options.customers }, (_, i) => i), 8, async (i) => {
    const email = `push-${suffix}-${i}@bench.bankingcore.local`;
    const password = 'bench-password-123';
    const registered = await expectStatus(
      await httpRequest(agents[0], ports[0], 'POST', '/api/v1/auth/register', { body: { email, password, fullName: `Bench ${i}`, pin: '1234', initialDeposit: 100_000_000 } }),
      201,
      'register',
    );
    const login = await expectStatus(await httpRequest(agents[0], ports[0], 'POST', '/api/v1/auth/login', { body: { email, password } }), 200, 'login');
    return { accountId: registered.account.id, number: registered.account.number, token: login.accessToken, sockets: 0 };
  });

  // Receipts of balance.updated on the receiving side, by transaction id: one time per socket.
  const receipts = new Map();
  progress(`connecting ${options.sockets} sockets`);
  await inParallel(Array.from({ length: options.sockets }, (_, i) => i), 50, (i) => {
    const customer = customers[i % customers.length];
    const port = ports[i % ports.length];
    customer.sockets++;
    return new Promise((done, fail) => {
      const socket = io(`http://${HOST}:${port}`, { path: '/socket.io', transports: ['websocket'], auth: { token: customer.token }, reconnection: false, forceNew: true });
      platform.sockets.push(socket);
      socket.on('balance.updated', (event) => {
        if (event.data.accountId !== customer.accountId) return;
        const at = performance.now();
        const list = receipts.get(event.data.transactionId);
        if (list) list.push(at);
        else receipts.set(event.data.transactionId, [at]);
      });
      socket.once('connect', done);
      socket.once('connect_error', fail);
    });
  });

  progress(`sending transfers at ${options.rate}/s for ${options.seconds} s`);
  const answers = [];
  const errors = {};
  let inFlight = 0;
  let skipped = 0;
  let sent = 0;
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
        sent++;
        if (inFlight >= MAX_IN_FLIGHT) {
          skipped++;
          continue;
        }
        const from = customers[Math.floor(Math.random() * customers.length)];
        let to = customers[Math.floor(Math.random() * customers.length)];
        while (to === from) to = customers[Math.floor(Math.random() * customers.length)];
        const api = sent % ports.length;
        inFlight++;
        httpRequest(agents[api], ports[api], 'POST', '/api/v1/transfers', {
          body: { fromAccountId: from.accountId, toAccountNumber: to.number, amount: 1 + Math.floor(Math.random() * 100) },
          headers: { authorization: `Bearer ${from.token}` },
        }).then((response) => {
          inFlight--;
          if (response.status !== 201) {
            errors[response.status] = (errors[response.status] ?? 0) + 1;
            return;
          }
          answers.push({ transactionId: JSON.parse(response.text).transaction.id, answeredAt: performance.now(), expected: to.sockets });
        });
      }
    }, 5);
  });
  while (inFlight > 0) await sleep(10);
  const measuredSeconds = (performance.now() - startedAt) / 1000;
  // Stragglers: give deliveries up to 5 s after the last answer.
  const deadline = performance.now() + 5_000;
  const delivered = () => answers.reduce((total, a) => total + Math.min(a.expected, receipts.get(a.transactionId)?.length ?? 0), 0);
  const expected = answers.reduce((total, a) => total + a.expected, 0);
  while (delivered() < expected && performance.now() < deadline) await sleep(50);

  const latencies = [];
  for (const answer of answers) for (const at of receipts.get(answer.transactionId) ?? []) latencies.push(at - answer.answeredAt);
  latencies.sort((a, b) => a - b);
  const received = delivered();
  const deliveries = { expected, received, missing: expected - received };
  const latencyMs = { min: round(latencies[0] ?? null), p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? null) };
  const achievedPerSecond = round(answers.length / measuredSeconds);
  progress(`${deliveries.received}/${expected} deliveries, p99 ${latencyMs.p99} ms, ${achievedPerSecond} transfers/s achieved of ${options.rate} offered`);
  return {
    benchmark: 'push-latency',
    sockets: options.sockets,
    apiProcesses: options.apiProcesses,
    customers: options.customers,
    seconds: options.seconds,
    transfers: { offeredPerSecond: options.rate, achievedPerSecond, ok: answers.length, errors, skippedOverMaxInFlight: skipped },
    deliveries,
    // Negative values: the event reached the socket before the HTTP answer reached the client.
    latencyMs,
    target: TARGET,
    targetMet: targetMet(options, achievedPerSecond, deliveries, latencyMs),
  };
}

platform.run(main);
