import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type AppConfig } from '@bank/config/app-config';
import type { TokenResponse, RegisterResponse } from '@bank/contracts/auth';
import type { Role, UserView } from '@bank/contracts/users';
import { Clock } from '@bank/auth/clock';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { createHttpAdapter } from '../../apps/api/src/http-edge/http-adapter';
import { dropDatabase, prepareDatabase } from '@bank/db/prepare-database';
import { REDIS_URL, testDatabaseUrl, testRedisPrefix, uniqueDatabaseUrl } from './test-env';

export const TEST_PASSWORD = 'correct-horse-battery';
export const TEST_PIN = '4321';

export interface TestCustomer {
  user: UserView;
  accountId: string;
  accountNumber: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export interface TestStaff {
  user: UserView;
  email: string;
  accessToken: string;
}

/** The config a test api runs with: the run's database and Redis prefix, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    LOG_LEVEL: 'silent',
    READY_REQUIRES_WORKER: 'false',
    // Tests make many logins and registrations from 127.0.0.1; rate-limit tests turn limits back on.
    RATE_LIMITS: 'off',
    ...overrides,
  });
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@test.bankingcore.local`;
}

/**
 * An api running in this process against real PostgreSQL and Redis, with one-line factories
 * for the people a test needs.
 */
export class TestApp {
  /** Set by startOnOwnDatabase: the database close() drops. */
  private ownDatabaseUrl: string | undefined;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    /** Every route the HTTP server registered, as it registered them (the authorization matrix walks them). */
    readonly registeredRoutes: ReadonlyArray<{ method: string; url: string }>,
  ) {}

  /**
   * An api on a database of its own, migrated now and dropped by close(): for a test whose data
   * would disturb the run's shared database (balances past 2^53 in everyone's totals) or be
   * disturbed by it ("no row changed", "the newest events"). The database is at `config.databaseUrl`.
   */
  static async startOnOwnDatabase(label: string, overrides: Record<string, string> = {}): Promise<TestApp> {
    const databaseUrl = uniqueDatabaseUrl(label);
    await prepareDatabase(databaseUrl, { info: () => undefined });
    try {
      const t = await TestApp.start({ ...overrides, DATABASE_URL: databaseUrl });
      t.ownDatabaseUrl = databaseUrl;
      return t;
    } catch (error) {
      await dropDatabase(databaseUrl);
      throw error;
    }
  }

  /** `clock` replaces the api's "now" where rules depend on it (TOTP steps, the mfaToken's expiry). */
  static async start(overrides: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<TestApp> {
    const config = testConfig(overrides);
    const builder = Test.createTestingModule({ imports: [ApiModule.forRoot(config)] });
    if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false, bodyParser: false });
    const registeredRoutes: Array<{ method: string; url: string }> = [];
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) registeredRoutes.push({ method, url: route.url });
      });
    await configureApi(app, config);
    // Listening once on a free port lets supertest reuse it instead of binding per request.
    await app.listen(0, '127.0.0.1');
    return new TestApp(app, config, registeredRoutes);
  }

  /** Base URL of the listening api (HTTP and Socket.IO). */
  get url(): string {
    const address = this.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the test api is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  http(): TestAgent {
    return request(this.app.getHttpServer());
  }

  orm(): MikroORM {
    return this.app.get(MikroORM);
  }

  /** Raw SQL for assertions on what was (or was not) written. */
  async sql<T extends Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.orm().em.fork().getConnection().execute<T[]>(query, params);
  }

  async newCustomer(options: { fullName?: string; password?: string; pin?: string } = {}): Promise<TestCustomer> {
    const email = uniqueEmail('customer');
    const password = options.password ?? TEST_PASSWORD;
    const registered = await this.http()
      .post('/api/v1/auth/register')
      .send({ email, password, fullName: options.fullName ?? 'Test Customer', pin: options.pin ?? TEST_PIN })
      .expect(201);
    const body = registered.body as RegisterResponse;
    const tokens = await this.login(email, password);
    return { user: body.user, accountId: body.account.id, accountNumber: body.account.number, email, password, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
  }

  /** A customer with money: registers with an initial deposit, which posts as a normal deposit. */
  async newFundedCustomer(balance: number, options: { fullName?: string; pin?: string } = {}): Promise<TestCustomer> {
    const email = uniqueEmail('customer');
    await this.http()
      .post('/api/v1/auth/register')
      .send({ email, password: TEST_PASSWORD, fullName: options.fullName ?? 'Funded Customer', pin: options.pin ?? TEST_PIN, initialDeposit: balance })
      .expect(201);
    const tokens = await this.login(email, TEST_PASSWORD);
    const accounts = await this.http().get('/api/v1/accounts').set(bearer(tokens.accessToken)).expect(200);
    const [account] = accounts.body.items as Array<{ id: string; number: string }>;
    return { user: tokens.user, accountId: account.id, accountNumber: account.number, email, password: TEST_PASSWORD, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
  }

  async balanceOf(accountId: string): Promise<number> {
    const [row] = await this.sql<{ balance: string }>('select balance from accounts where id = ?', [accountId]);
    return Number(row.balance);
  }

  /** A password sign-in of a user without TOTP (with TOTP on, the answer is the challenge instead: see the MFA tests). */
  async login(email: string, password: string): Promise<TokenResponse> {
    const response = await this.http().post('/api/v1/auth/login').send({ email, password }).expect(200);
    return response.body as TokenResponse;
  }

  async admin(): Promise<TestStaff> {
    const tokens = await this.login(this.config.adminEmail, this.config.adminPassword);
    return { user: tokens.user, email: this.config.adminEmail, accessToken: tokens.accessToken };
  }

  async newStaff(role: Exclude<Role, 'customer'>): Promise<TestStaff> {
    const admin = await this.admin();
    const email = uniqueEmail(role);
    await this.http()
      .post('/api/v1/admin/staff')
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .set(role === 'admin' ? { 'X-Admin-Key': this.config.adminKey } : {})
      .send({ email, password: TEST_PASSWORD, fullName: `Test ${role}`, role })
      .expect(201);
    const tokens = await this.login(email, TEST_PASSWORD);
    return { user: tokens.user, email, accessToken: tokens.accessToken };
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownDatabaseUrl) await dropDatabase(this.ownDatabaseUrl);
  }
}

/**
 * "Now" under the test's control (TestApp.start's `clock`): it stands still until moved, starting
 * in the middle of the current 30-second step, so a code computed for it stays right while it is sent.
 */
export class ManualClock extends Clock {
  private atMs = Math.floor(Date.now() / 30_000) * 30_000 + 15_000;

  nowMs(): number {
    return this.atMs;
  }

  get nowS(): number {
    return Math.floor(this.atMs / 1000);
  }

  /** Moves "now" by this many seconds (negative: back). */
  advance(seconds: number): void {
    this.atMs += seconds * 1000;
  }
}
