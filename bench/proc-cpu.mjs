// CPU time of processes from /proc (Linux), shared by the benchmarks.
import { readdirSync, readFileSync } from 'node:fs';

export const CLOCK_TICKS = 100; // USER_HZ on Linux

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
