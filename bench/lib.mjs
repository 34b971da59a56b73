// Helpers shared by the benchmarks in this folder: progress lines, ports, admin SQL, bounded
// parallelism, percentiles, JSON over keep-alive HTTP, a sampler of what a database's sessions are
// doing (pg_stat_activity) and a reader of one Prometheus series.
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export const HOST = '127.0.0.1';
export const PG_ADMIN_URL = `postgres://postgres@${HOST}:5432/postgres`;
export const REDIS_URL = `redis://${HOST}:6379`;
export const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const started = performance.now();
export function progress(message) {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export function quoteIdentifier(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function adminQuery(sql, params) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in item order. */
export async function inParallel(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const round = (value, digits = 1) => (value === null || value === undefined ? null : Number(value.toFixed(digits)));

// ---------------------------------------------------------------------------------------------
// HTTP over keep-alive (node:http, one Agent per api process)

export function httpRequest(agent, port, method, path, { body, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  return new Promise((done) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: HOST,
        port,
        method,
        path,
        agent,
        headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => done({ status: 'network', text: String(error?.code ?? error?.message ?? error) }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'TIMEOUT' })));
    req.on('error', (error) => done({ status: error?.code === 'TIMEOUT' ? 'timeout' : 'network', text: String(error?.code ?? error?.message ?? error) }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function expectStatus(response, expected, what) {
  if (response.status !== expected) throw new Error(`${what}: expected ${expected}, got ${response.status}: ${String(response.text).slice(0, 500)}`);
  return parseJson(response.text);
}


/** `--flag value` or `--flag=value` options, all positive numbers; `names` maps flags to keys of `defaults`. */
export function parseNumberOptions(argv, defaults, names) {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split('=', 2);
    const key = names[flag];
    if (!key) throw new Error(`unknown option ${argv[i]} (options: ${Object.keys(names).join(' ')})`);
    value ??= argv[++i];
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`${flag} needs a positive number, got ${value}`);
    options[key] = number;
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// What a database's sessions are doing, and Prometheus text

/**
 * Samples every 100 ms what the client sessions of `database` are doing, until the returned
 * function is called; that resolves to the average number of sessions in each state:
 * `active` with a wait event (Lock/object = the NOTIFY commit lock, Lock/transactionid = a row
 * lock, IO/WALSync = the commit flush), `active` on CPU, `idle in transaction` (PostgreSQL waits
 * for the client: the client's event loop is the bottleneck), or `idle` (a pooled connection unused).
 */
export function startDbSampler(database) {
  const counts = new Map();
  let samples = 0;
  let stopped = false;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  const loop = (async () => {
    try {
      await client.connect();
      while (!stopped) {
        const { rows } = await client.query(
          `select state, wait_event_type, wait_event, count(*)::int as n from pg_stat_activity
           where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()
           group by 1, 2, 3`,
          [database],
        );
        samples++;
        for (const row of rows) {
          const key = `${row.state ?? '?'}${row.wait_event_type ? ` / ${row.wait_event_type}:${row.wait_event}` : row.state === 'active' ? ' / on CPU' : ''}`;
          counts.set(key, (counts.get(key) ?? 0) + row.n);
        }
        await sleep(100);
      }
    } catch (error) {
      counts.set(`sampler failed: ${error.message}`, 0);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return {
      samples,
      averageSessions: Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => [key, round(n / Math.max(1, samples), 2)])),
    };
  };
}

/** Average sessions `idle in transaction` (also `(aborted)`) out of a sampler's `averageSessions`. */
export function idleInTransactionSessions(averageSessions) {
  return round(
    Object.entries(averageSessions ?? {})
      .filter(([state]) => state.startsWith('idle in transaction'))
      .reduce((sum, [, n]) => sum + n, 0),
    2,
  );
}

/** The value of an unlabelled Prometheus series (e.g. `bankingcore_money_batch_commands_sum`) in exposition text, or null. */
export function prometheusValue(text, series) {
  const match = new RegExp(`^${series}(?:\\{\\})? (\\S+)`, 'm').exec(String(text));
  return match ? Number(match[1]) : null;
}
