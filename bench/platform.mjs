// A throwaway platform for one benchmark run: its own database and Redis key prefix, the built
// api and worker processes, and the clean-up of all of it — also on failure, Ctrl+C or timeout.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { HOST, REDIS_URL, adminQuery, freePort, progress, quoteIdentifier } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class BenchPlatform {
  /** `nodeArgs`: flags for every process it starts (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  constructor(name, env = {}, nodeArgs = []) {
    const suffix = randomBytes(4).toString('hex');
    this.suffix = suffix;
    this.database = `bankingcore_${name}bench_${suffix}`;
    this.redisPrefix = `bankingcore-bench:${name}-${suffix}:`;
    this.env = env;
    this.nodeArgs = nodeArgs;
    this.children = [];
    this.sockets = [];
    this.cleaning = undefined;
  }

  /** Starts a built entry point and resolves once its output matches `readyPattern`. */
  start(entry, extraEnv, readyPattern) {
    const child = spawn(process.execPath, [...this.nodeArgs, resolve(ROOT, entry)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: `postgres://postgres@${HOST}:5432/${this.database}`,
        REDIS_URL,
        REDIS_KEY_PREFIX: this.redisPrefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'development',
        RATE_LIMITS: 'off', // benchmarks measure throughput, not the limits (DESIGN.md)
        ...this.env,
        ...extraEnv,
      },
    });
    this.children.push(child);
    let output = '';
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${entry} not ready in 60 s:\n${output.slice(-2000)}`)), 60_000);
      const onData = (chunk) => {
        output = (output + chunk).slice(-20_000);
        if (readyPattern.test(output)) {
          clearTimeout(timer);
          done(child);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code, signal) => fail(new Error(`${entry} exited (${signal ?? code}):\n${output.slice(-2000)}`)));
    });
  }

  startWorker() {
    return this.start('dist/apps/worker/src/main.js', {}, /worker ready/);
  }

  /** An api process on a free port; resolves to the port. */
  async startApi() {
    const port = await freePort();
    await this.start('dist/apps/api/src/main.js', { PORT: String(port), HOST, READY_REQUIRES_WORKER: 'false' }, /api listening/);
    return port;
  }

  cleanup() {
    this.cleaning ??= (async () => {
      for (const socket of this.sockets) socket.close();
      await Promise.all(
        this.children.map(
          (child) =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', done);
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
            }),
        ),
      );
      await adminQuery(`drop database if exists ${quoteIdentifier(this.database)} with (force)`).catch((error) => progress(`could not drop ${this.database}: ${error.message}`));
      const redis = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 500);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    })();
    return this.cleaning;
  }

  /** Runs the benchmark: its result as JSON on stdout, everything removed afterwards, exit code set. */
  run(main, timeLimitMs = 10 * 60_000) {
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => this.cleanup().finally(() => process.exit(130)));
    const overall = setTimeout(() => {
      progress('overall time limit reached');
      this.cleanup().finally(() => process.exit(1));
    }, timeLimitMs);
    main()
      .then(async (result) => {
        await this.cleanup();
        clearTimeout(overall);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.exit(0);
      })
      .catch(async (error) => {
        progress(`failed: ${error.stack ?? error}`);
        await this.cleanup();
        process.exit(1);
      });
  }
}
