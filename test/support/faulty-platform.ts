import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { TokenResponse } from '@bank/contracts/auth';
import { DEVELOPMENT_SECRETS } from '@bank/config/app-config';
import { dropDatabase, prepareDatabase } from '../../libs/db/src/prepare-database';
import { freePort, RunningProcess } from './processes';
import { TcpProxy } from './tcp-proxy';
import { TEST_PASSWORD, TEST_PIN, uniqueEmail } from './test-app';
import { REDIS_URL, testRedisPrefix, uniqueDatabaseUrl } from './test-env';

/** One HTTP answer as a client saw it: `status` 0 when no answer came (connection refused or reset). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export interface Customer {
  userId: string;
  email: string;
  token: string;
  accountId: string;
  accountNumber: string;
}

const hostAndPort = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'redis:' ? 6379 : 5432)) };
};

/**
 * `npm start` (the launcher, the built api and worker) with PostgreSQL and Redis each reached
 * through a cuttable TCP proxy, on a database and Redis prefix of its own: the platform a fault
 * test breaks. The test reads the database directly (not through the proxy) to check invariants.
 */
export class FaultyPlatform {
  private constructor(
    readonly launcher: RunningProcess,
    readonly postgres: TcpProxy,
    readonly redis: TcpProxy,
    readonly databaseUrl: string,
    readonly base: string,
  ) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<FaultyPlatform> {
    const databaseUrl = uniqueDatabaseUrl(label);
    await prepareDatabase(databaseUrl, { info: () => undefined });
    const postgres = await TcpProxy.start(hostAndPort(databaseUrl));
    const redis = await TcpProxy.start(hostAndPort(REDIS_URL));
    const port = await freePort();
    const launcher = new RunningProcess(['scripts/start-platform.mjs'], {
      DATABASE_URL: postgres.proxied(databaseUrl),
      REDIS_URL: redis.proxied(REDIS_URL),
      REDIS_KEY_PREFIX: `${testRedisPrefix()}${label}-${port}:`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    });
    const platform = new FaultyPlatform(launcher, postgres, redis, databaseUrl, `http://127.0.0.1:${port}`);
    await launcher.waitFor(/BankingCore is ready at/, 60_000);
    return platform;
  }

  /** One call; never throws: a connection that fails is status 0. */
  async call<T = Record<string, unknown>>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const started = Date.now();
    const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${this.base}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers, ms: Date.now() - started };
    } catch {
      return { status: 0, body: null as T, headers: new Headers(), ms: Date.now() - started };
    }
  }

  /** A registered customer with `initialDeposit` on a fresh account, logged in. */
  async customer(initialDeposit: number): Promise<Customer> {
    const email = uniqueEmail('fault');
    const registered = await this.call<{ user: { id: string }; account: { id: string; number: string } }>('POST', '/api/v1/auth/register', {
      body: { email, password: TEST_PASSWORD, fullName: 'Fault Tester', pin: TEST_PIN, initialDeposit },
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    const token = await this.login(email, TEST_PASSWORD);
    return { userId: registered.body.user.id, email, token, accountId: registered.body.account.id, accountNumber: registered.body.account.number };
  }

  async login(email: string, password: string): Promise<string> {
    const login = await this.call<TokenResponse>('POST', '/api/v1/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    return login.body.accessToken;
  }

  /** The development admin (the launcher runs with the development secrets). */
  admin(): Promise<string> {
    return this.login('admin@bankingcore.local', DEVELOPMENT_SECRETS.ADMIN_PASSWORD);
  }

  /** Queries the platform's database directly, past the proxy. */
  async sql<T>(text: string, values: unknown[] = []): Promise<T[]> {
    const db = new Client({ connectionString: this.databaseUrl });
    await db.connect();
    try {
      return (await db.query(text, values)).rows as T[];
    } finally {
      await db.end();
    }
  }

  /** Polls until `probe` answers `status`; resolves with how long that took. */
  async answersWithin(probe: () => Promise<Answer>, status: number, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const answer = await probe();
      if (answer.status === status) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`still ${answer.status} after ${timeoutMs} ms: ${JSON.stringify(answer.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.launcher.stop();
    await Promise.all([this.postgres.close(), this.redis.close()]);
    await dropDatabase(this.databaseUrl);
  }
}

/**
 * Customers moving money the way a careful client does: each transfer carries an Idempotency-Key
 * and is repeated with that key after a 503 (or no answer) until it is answered for good. Every
 * answer is recorded, so a test can say which statuses clients saw while a dependency was down.
 */
export class KeyedTransfers {
  readonly answers: Array<{ key: string; status: number; ms: number; at: number }> = [];
  /** Each key and the transaction its 201 named (a replay must name the same one). */
  readonly committed = new Map<string, string>();
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly platform: FaultyPlatform,
    private readonly customers: readonly Customer[],
    private readonly retryAfterMs = 100,
  ) {}

  start(clients: number): void {
    this.running = Array.from({ length: clients }, (_, i) => this.client(i));
  }

  /** Stops starting new transfers; resolves when every key in flight has been answered for good. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  statusesSeen(): number[] {
    return [...new Set(this.answers.map((answer) => answer.status))].sort();
  }

  private async client(index: number): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const from = this.customers[(index + n) % this.customers.length];
      const to = this.customers[(index + n + 1) % this.customers.length];
      const key = `fault-${randomUUID()}`;
      for (;;) {
        const answer = await this.platform.call<{ transaction: { id: string } }>('POST', '/api/v1/transfers', {
          token: from.token,
          headers: { 'idempotency-key': key },
          body: { fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount: 1 + (n % 50), description: key },
        });
        this.answers.push({ key, status: answer.status, ms: answer.ms, at: Date.now() });
        if (answer.status === 201) {
          const previous = this.committed.get(key);
          if (previous !== undefined && previous !== answer.body.transaction.id) throw new Error(`key ${key} answered two transactions`);
          this.committed.set(key, answer.body.transaction.id);
          break;
        }
        if (answer.status !== 503 && answer.status !== 0) break; // recorded; the test says whether it was allowed
        await new Promise((resolve) => setTimeout(resolve, this.retryAfterMs));
      }
    }
  }
}
