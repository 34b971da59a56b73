import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Balancer } from './balancer';

/**
 * `npm run stack`: the scaled topology of docker-compose on one machine, without Docker — N api
 * processes and M workers (the built ones in dist/) behind the balancer on PORT (default 3000).
 *   node dist/apps/stack/src/main.js [--apis 2] [--workers 2] [--demo]
 * A process that dies is started again after a second (as a container would be); Ctrl+C or
 * SIGTERM stops everything gracefully.
 */
const { values } = parseArgs({ options: { apis: { type: 'string', default: '2' }, workers: { type: 'string', default: '2' }, demo: { type: 'boolean', default: false } } });
const apis = Number(values.apis);
const workers = Number(values.workers);
if (!Number.isInteger(apis) || apis < 1 || !Number.isInteger(workers) || workers < 1) {
  process.stderr.write('usage: stack [--apis N] [--workers M] [--demo] (N, M ≥ 1)\n');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3000);
const dist = resolve(__dirname, '..', '..');
const baseEnv = { ...process.env, ...(values.demo ? { DEMO_DATA: 'true' } : {}) };

interface Managed {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  startedAt?: number;
  /** The next restart's delay: 1 s, doubling up to 30 s, back to 1 s once a process ran for a minute. */
  backoffMs?: number;
}

const RESTART_BACKOFF_MIN_MS = 1_000;
const RESTART_BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

const managed: Managed[] = [
  ...Array.from({ length: apis }, (_, i) => ({ name: `api-${i + 1}`, entry: `${dist}/api/src/main.js`, env: { ...baseEnv, PORT: String(port + 1 + i), HOST: '127.0.0.1' } })),
  ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, entry: `${dist}/worker/src/main.js`, env: baseEnv })),
];
let stopping = false;

function start(managedProcess: Managed): void {
  const child = spawn(process.execPath, [managedProcess.entry], { env: managedProcess.env, stdio: ['ignore', 'inherit', 'inherit'] });
  managedProcess.child = child;
  managedProcess.startedAt = Date.now();
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const ranMs = Date.now() - (managedProcess.startedAt ?? 0);
    const delayMs = ranMs >= HEALTHY_AFTER_MS ? RESTART_BACKOFF_MIN_MS : (managedProcess.backoffMs ?? RESTART_BACKOFF_MIN_MS);
    managedProcess.backoffMs = Math.min(RESTART_BACKOFF_MAX_MS, delayMs * 2);
    process.stderr.write(`[stack] ${managedProcess.name} exited (${signal ?? `code ${code}`}); starting it again in ${delayMs / 1000} s\n`);
    setTimeout(() => !stopping && start(managedProcess), delayMs);
  });
}

async function main(): Promise<void> {
  managed.forEach(start);
  const balancer = new Balancer(managed.filter((m) => m.name.startsWith('api-')).map((m) => ({ name: m.name, port: Number(m.env.PORT) })));
  await balancer.listen(port, process.env.HOST ?? '0.0.0.0');
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[stack] ${signal}: stopping ${managed.length} processes\n`);
    await Promise.all(managed.map((m) => new Promise<void>((done) => (m.child && m.child.exitCode === null && m.child.signalCode === null ? (m.child.once('exit', () => done()), m.child.kill('SIGTERM')) : done()))));
    await balancer.close();
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok && balancer.healthyBackends.length === apis) break;
    } catch {
      // not yet
    }
    await new Promise((done) => setTimeout(done, 300));
  }
  process.stdout.write(`\nBankingCore stack is ready at http://localhost:${port}: ${apis} api and ${workers} worker processes behind the balancer (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl+C stops it.\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[stack] ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
