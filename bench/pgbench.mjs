// pgbench beside the transfers benchmark, on a database of its own: `pgbench -i -s 10` once, then
// TPC-B (-c C -j 2 -T T) and the hot-account script (pgbench-hot-account.sql, same shape as the
// benchmark's `hot-account` scenario), each with its tps, latency and where the CPU went.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSnapshot, cpuSplit } from './proc-cpu.mjs';
import { HOST, progress, round } from './lib.mjs';

const PGBENCH = '/usr/bin/pgbench';
const SCALE = 10;
const HOT_ACCOUNT_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), 'pgbench-hot-account.sql');
const CONNECTION = ['-h', HOST, '-p', '5432', '-U', 'postgres'];

/** Runs a command to its end; `onChild(child | null)` is told of the running process (for clean-up on abort). */
function runCommand(command, args, { timeoutMs, onChild = () => {} }) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '10' } });
    onChild(child);
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
      onChild(null);
      if (code === 0) done({ stdout, stderr });
      else fail(new Error(`${command} ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

export async function initPgbench(database, onChild) {
  progress(`pgbench: initialising ${database} (scale ${SCALE})`);
  await runCommand(PGBENCH, ['-i', '-s', String(SCALE), '-q', ...CONNECTION, database], { timeoutMs: 180_000, onChild });
}

/** One timed pgbench run; `workload` is the arguments that pick the script. */
async function timedRun(database, workload, { clients, seconds }, onChild) {
  const wholeSeconds = Math.max(1, Math.round(seconds));
  let pgbenchPid = null;
  const track = (child) => {
    pgbenchPid = child?.pid ?? pgbenchPid;
    onChild(child);
  };
  // CPU sampled while pgbench's sessions exist (they end with the run), skipping the first and last second.
  let before = null;
  let after = null;
  const timers = [
    setTimeout(() => (before = cpuSnapshot([pgbenchPid])), 1_000),
    setTimeout(() => (after = cpuSnapshot([pgbenchPid])), Math.max(1_500, wholeSeconds * 1000 - 1_000)),
  ];
  let stdout;
  try {
    ({ stdout } = await runCommand(PGBENCH, [...workload, '-c', String(clients), '-j', '2', '-T', String(wholeSeconds), '-n', ...CONNECTION, database], {
      timeoutMs: wholeSeconds * 1000 + 120_000,
      onChild: track,
    }));
  } finally {
    timers.forEach(clearTimeout);
  }
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps line: ${stdout.slice(-500)}`);
  const figure = (pattern) => {
    const match = pattern.exec(stdout);
    return match ? Number(match[1]) : null;
  };
  const cpu = before && after ? cpuSplit(before, after, 'pgbenchClient') : { unit: null, machineBusy: null, steal: null, postgres: null, pgbenchClient: null };
  return {
    tps: round(Number(tps), 1),
    clients,
    seconds: wholeSeconds,
    latencyAverageMs: figure(/latency average = ([\d.]+) ms/),
    transactions: figure(/number of transactions actually processed: (\d+)/),
    failed: figure(/number of failed transactions: (\d+)/),
    cpu: {
      unit: cpu.unit,
      machineBusy: cpu.machineBusy,
      steal: cpu.steal,
      postgres: cpu.postgres,
      pgbenchClient: cpu.pgbenchClient,
      postgresMsPerTransaction: cpu.postgres === null ? null : round((cpu.postgres * 1000) / Number(tps), 2),
    },
  };
}

/** TPC-B, the built-in script (-b tpcb-like). */
export async function runTpcb(database, load, onChild) {
  progress(`pgbench: TPC-B with ${load.clients} clients, 2 threads, ${load.seconds} s`);
  const result = await timedRun(database, ['-b', 'tpcb-like'], load, onChild);
  progress(`pgbench TPC-B: ${result.tps} tps`);
  return { script: 'TPC-B (tpcb-like)', ...result };
}

/** The hot-account script: every transaction from aid 1 to a random other account. */
export async function runHotAccount(database, load, onChild) {
  progress(`pgbench: hot-account script with ${load.clients} clients, 2 threads, ${load.seconds} s`);
  const result = await timedRun(database, ['-f', HOT_ACCOUNT_SCRIPT, '-s', String(SCALE)], load, onChild);
  progress(`pgbench hot-account: ${result.tps} tps`);
  return { script: 'bench/pgbench-hot-account.sql', ...result };
}
