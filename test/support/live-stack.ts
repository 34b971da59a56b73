import { prepareDatabase, dropDatabase } from '../../libs/db/src/prepare-database';
import { freePort, RunningProcess } from './processes';
import { TestApp } from './test-app';
import { REDIS_URL, testRedisPrefix, uniqueDatabaseUrl } from './test-env';

/**
 * A platform of its own for live-event tests: a fresh database and Redis prefix, an api in this
 * process (with factories), and the built worker — the outbox relay — as a real process that a
 * test can kill. More api processes can be started on other ports.
 */
export class LiveStack {
  readonly workers: RunningProcess[] = [];
  readonly apis: RunningProcess[] = [];

  private constructor(
    readonly databaseUrl: string,
    readonly redisKeyPrefix: string,
    readonly app: TestApp,
    /** Variables every process of the stack gets on top of its own (e.g. a short request window). */
    private readonly extraEnv: Record<string, string>,
  ) {}

  /** `env` goes to the in-process api and to every process started; it may name another `REDIS_URL`. */
  static async start(label: string, env: Record<string, string> = {}): Promise<LiveStack> {
    const databaseUrl = uniqueDatabaseUrl(label);
    const redisKeyPrefix = `${testRedisPrefix()}${label}-${Date.now()}-${process.pid}:`;
    await prepareDatabase(databaseUrl, { info: () => undefined });
    const app = await TestApp.start({ DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: redisKeyPrefix, ...env });
    const stack = new LiveStack(databaseUrl, redisKeyPrefix, app, env);
    await stack.startRelay();
    return stack;
  }

  private get env(): Record<string, string> {
    return { DATABASE_URL: this.databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: this.redisKeyPrefix, LOG_LEVEL: 'info', RATE_LIMITS: 'off', ...this.extraEnv };
  }

  /** Starts a worker and waits until its relay leads (the previous leader must be gone). */
  async startRelay(): Promise<RunningProcess> {
    const worker = new RunningProcess(['dist/apps/worker/src/main.js'], this.env);
    this.workers.push(worker);
    await worker.waitFor(/outbox relay is the leader/, 30_000);
    return worker;
  }

  /** Another api process (the built one) on its own port; returns its base URL. */
  async startApi(): Promise<string> {
    const port = await freePort();
    const api = new RunningProcess(['dist/apps/api/src/main.js'], { ...this.env, PORT: String(port), READY_REQUIRES_WORKER: 'false' });
    this.apis.push(api);
    await api.waitFor(/api listening/, 30_000);
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers, ...this.apis].map((p) => p.stop()));
    await this.app.close();
    await dropDatabase(this.databaseUrl);
  }
}
