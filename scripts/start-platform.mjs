#!/usr/bin/env node
// Starts the whole platform from one command: the api and the worker as two processes (built
// into dist/ by `npm run build`). Each migrates the database under an advisory lock before it
// serves, so the order they start in does not matter. `--demo` switches demo data on.
// Signals are forwarded; if either process dies, the other is stopped and the exit code kept.
import { spawn } from 'node:child_process';

const demo = process.argv.includes('--demo');
const env = { ...process.env, ...(demo ? { DEMO_DATA: 'true' } : {}) };
const port = Number(env.PORT ?? 3000);

const children = [
  ['api', 'dist/apps/api/src/main.js'],
  ['worker', 'dist/apps/worker/src/main.js'],
].map(([name, entry]) => ({ name, process: spawn(process.execPath, [entry], { env, stdio: 'inherit' }) }));

let exiting = false;
function stopAll(signal) {
  for (const child of children) if (child.process.exitCode === null) child.process.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    exiting = true;
    stopAll(signal);
  });
}
for (const child of children) {
  child.process.on('exit', (code, signal) => {
    if (!exiting) {
      process.stderr.write(`${child.name} exited (${signal ?? `code ${code}`}); stopping the platform\n`);
      exiting = true;
      process.exitCode = code || 1;
      stopAll('SIGTERM');
    }
    if (children.every((c) => c.process.exitCode !== null || c.process.signalCode !== null)) process.exit(process.exitCode ?? 0);
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
