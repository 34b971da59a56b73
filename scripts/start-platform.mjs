#!/usr/bin/env node
// Starts the whole platform from one command: the api and the worker as two processes (built
// into dist/ by `npm run build`). Each migrates the database under an advisory lock before it
// serves, so the order they start in does not matter. `--demo` switches demo data on.
// Signals are forwarded. A process that exits on its own is started again after a back-off
// (1 s, doubling up to 30 s; back to 1 s once it has run for a minute), with a line saying so:
// a fault that stops one process never stops the platform.
import { spawn } from 'node:child_process';

const demo = process.argv.includes('--demo');
const env = { ...process.env, ...(demo ? { DEMO_DATA: 'true' } : {}) };
const port = Number(env.PORT ?? 3000);
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

let exiting = false;
const children = [
  { name: 'api', entry: 'dist/apps/api/src/main.js' },
  { name: 'worker', entry: 'dist/apps/worker/src/main.js' },
].map((child) => ({ ...child, process: null, startedAt: 0, backoffMs: BACKOFF_MIN_MS, restartTimer: null }));

function start(child) {
  child.startedAt = Date.now();
  child.process = spawn(process.execPath, [child.entry], { env, stdio: 'inherit' });
  child.process.on('exit', (code, signal) => {
    if (exiting) {
      if (children.every((c) => c.process.exitCode !== null || c.process.signalCode !== null)) process.exit(process.exitCode ?? 0);
      return;
    }
    if (Date.now() - child.startedAt >= HEALTHY_AFTER_MS) child.backoffMs = BACKOFF_MIN_MS;
    process.stderr.write(`${child.name} exited (${signal ?? `code ${code}`}); starting it again in ${child.backoffMs / 1000} s\n`);
    child.restartTimer = setTimeout(() => {
      child.restartTimer = null;
      if (!exiting) start(child);
    }, child.backoffMs);
    child.backoffMs = Math.min(BACKOFF_MAX_MS, child.backoffMs * 2);
  });
}
children.forEach(start);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    for (const child of children) {
      clearTimeout(child.restartTimer);
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
    }
    if (children.every((c) => c.process.exitCode !== null || c.process.signalCode !== null)) process.exit(0);
  });
}

// One plain line once /health/ready says both processes are up, so a newcomer knows when to start.
const started = Date.now();
const poll = setInterval(async () => {
  if (exiting) return clearInterval(poll);
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    if (response.ok) {
      clearInterval(poll);
      process.stdout.write(`\nBankingCore is ready at http://localhost:${port} (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl+C stops it.\n\n`);
    }
  } catch {
    // not listening yet
  }
}, 500);
poll.unref();
