// CPU time from /proc (Linux), shared by the benchmarks: ticks of one process, of every
// PostgreSQL process and of the whole machine, and — for the transfers benchmark — snapshots of
// all of them and the split between two snapshots (in cores: 2.0 = both cores of a 2-core box).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export const CLOCK_TICKS = 100; // USER_HZ on Linux

const round2 = (value) => (value === null || value === undefined ? null : Number(value.toFixed(2)));

export function processTicks(pid, part = 'both') {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [user, system] = [Number(fields[11]), Number(fields[12])]; // utime, stime (fields 14, 15)
    return part === 'user' ? user : part === 'system' ? system : user + system;
  } catch {
    return null;
  }
}

/** Every `postgres` process on the machine: pid → { total, system } ticks. */
export function postgresTicks() {
  const ticks = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const total = processTicks(entry);
    const system = processTicks(entry, 'system');
    if (total !== null && system !== null) ticks.set(entry, { total, system });
  }
  return ticks;
}

/** The whole machine from /proc/stat: idle, total and steal ticks summed over all cores. */
export function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const idle = numbers[3] + (numbers[4] ?? 0);
  const total = numbers.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total, steal: numbers[7] ?? 0 };
}

function orNull(read) {
  try {
    return read();
  } catch {
    return null; // no /proc: not Linux
  }
}

/** CPU ticks so far of the server processes `pids` (api, bare reference or pgbench), PostgreSQL, this process and the machine. */
export function cpuSnapshot(pids) {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    bench: (usage.user + usage.system) / 1e6,
    server: pids.map((pid) => processTicks(pid)),
    serverSystem: pids.map((pid) => processTicks(pid, 'system')),
    postgres: orNull(postgresTicks),
    machine: orNull(machineTicks),
  };
}

function postgresDelta(before, after) {
  if (!before.postgres || !after.postgres) return { total: null, system: null };
  let total = 0;
  let system = 0;
  for (const [pid, end] of after.postgres) {
    total += end.total - (before.postgres.get(pid)?.total ?? 0);
    system += end.system - (before.postgres.get(pid)?.system ?? 0);
  }
  return { total, system };
}

/**
 * Average cores used by each party between two snapshots; the server processes are reported
 * under `serverName` (`api`, `bare`, `pgbenchClient`), their kernel share under `<serverName>Kernel`.
 */
export function cpuSplit(before, after, serverName = 'api') {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks) => (ticks === null ? null : round2(ticks / CLOCK_TICKS / seconds));
  const serverDelta = (field) => after[field].reduce((sum, end, i) => sum + (end !== null && before[field][i] !== null ? end - before[field][i] : 0), 0);
  const postgres = postgresDelta(before, after);
  let machineBusy = null;
  let steal = null;
  if (before.machine && after.machine) {
    const total = after.machine.total - before.machine.total;
    const idle = after.machine.idle - before.machine.idle;
    machineBusy = round2(((total - idle) / total) * os.cpus().length);
    // Time the hypervisor gave to someone else while this VM wanted to run: a noisy neighbour.
    steal = round2(((after.machine.steal - before.machine.steal) / total) * os.cpus().length);
  }
  const bench = round2((after.bench - before.bench) / seconds);
  const serverCores = cores(serverDelta('server'));
  const postgresCores = cores(postgres.total);
  const other = machineBusy === null || postgresCores === null ? null : round2(Math.max(0, machineBusy - (steal ?? 0) - bench - serverCores - postgresCores));
  return {
    unit: 'cores (average over the measured window)',
    machineCores: os.cpus().length,
    machineBusy,
    steal,
    [serverName]: serverCores,
    [`${serverName}Kernel`]: cores(serverDelta('serverSystem')),
    postgres: postgresCores,
    postgresKernel: cores(postgres.system),
    benchClient: bench,
    other,
  };
}
