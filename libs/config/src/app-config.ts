import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { RateLimitName } from '@bank/contracts/security';

/**
 * Development defaults for the secrets. They are public (they are in this file), so production
 * refuses to start while any of them is in use.
 */
export const DEVELOPMENT_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-not-for-production-use-000000',
  ADMIN_KEY: 'dev-only-admin-key',
  ADMIN_PASSWORD: 'dev-only-admin-password',
} as const;
type SecretName = keyof typeof DEVELOPMENT_SECRETS;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** `<requests>/<seconds>`, e.g. `20/60`: at most that many requests in that many seconds. */
const rateLimit = z
  .string()
  .regex(/^\s*\d+\s*\/\s*\d+\s*$/, { error: 'must be <requests>/<seconds>, e.g. 20/60' })
  .transform((value) => {
    const [limit, windowS] = value.split('/').map((part) => Number(part.trim()));
    return { limit, windowS };
  })
  .refine(({ limit, windowS }) => limit >= 1 && windowS >= 1 && windowS <= 24 * 3600, { error: 'needs at least 1 request in 1 to 86400 seconds' });

/** One entry of the "trust proxy" list (proxy-addr, as Fastify reads it): a named range, or an address with an optional prefix length. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** DESIGN.md "Security": the default of each rate limit, and the variable that changes it. */
const RATE_LIMIT_VARIABLES = {
  'login-ip': ['RATE_LIMIT_LOGIN_PER_IP', '20/60'],
  'login-email': ['RATE_LIMIT_LOGIN_PER_EMAIL', '10/60'],
  'register-ip': ['RATE_LIMIT_REGISTER_PER_IP', '10/60'],
  'register-email': ['RATE_LIMIT_REGISTER_PER_EMAIL', '5/60'],
  'refresh-ip': ['RATE_LIMIT_REFRESH_PER_IP', '30/60'],
  'money-user': ['RATE_LIMIT_MONEY_PER_USER', '120/60'],
  'admin-user': ['RATE_LIMIT_ADMIN_PER_ADMIN', '60/60'],
  'lookup-user': ['RATE_LIMIT_LOOKUP_PER_USER', '30/60'],
} as const satisfies Record<RateLimitName, readonly [string, string]>;

export interface RateLimitSetting {
  limit: number;
  windowS: number;
}

/** A review threshold in minor units; `0` or `off` turns the rule off (null). */
const reviewAmount = z
  .string()
  .regex(/^\s*(off|\d{1,12})\s*$/, { error: 'must be an amount in minor units, or 0 / off' })
  .transform((value) => (value.trim() === 'off' || Number(value) === 0 ? null : Number(value)));

/** `<transfers>/<seconds>` (e.g. `10/600`), or `0` / `off`. */
const reviewVelocity = z
  .string()
  .regex(/^\s*(off|0|\d+\s*\/\s*\d+)\s*$/, { error: 'must be <transfers>/<seconds>, e.g. 10/600, or off' })
  .transform((value) => {
    if (!value.includes('/')) return null;
    const [count, windowS] = value.split('/').map((part) => Number(part.trim()));
    return count === 0 ? null : { count, windowS };
  })
  .refine((velocity) => velocity === null || (velocity.windowS >= 1 && velocity.windowS <= 7 * 24 * 3600), { error: 'needs a window of 1 to 604800 seconds' });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/bankingcore'),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  ADMIN_KEY: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  ADMIN_EMAIL: z.email({ error: 'must be an email address' }).default('admin@bankingcore.local'),
  ADMIN_PASSWORD: z.string().min(12, { error: 'must be at least 12 characters' }).optional(),
  METRICS_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_S: z.coerce.number().int().min(60).max(90 * 24 * 3600).default(30 * 24 * 3600),
  DEMO_DATA: booleanFlag.default(false),
  // Default by NODE_ENV (on in production), so it is optional here.
  MFA_REQUIRED_FOR_STAFF: booleanFlag.optional(),
  READY_REQUIRES_WORKER: booleanFlag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .refine((entries) => entries.every(isProxyAddress), { error: 'must list loopback, linklocal, uniquelocal or IP addresses/CIDRs, comma-separated' }),
  WEB_ROOT: z.string().optional(),
  REQUEST_INPUT_WINDOW_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(24 * 3600).default(600),
  REQUEST_SWEEP_AFTER_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(24 * 3600).default(60),
  REQUEST_SWEEP_INTERVAL_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(3600).default(15),
  SCHEDULE_SWEEP_INTERVAL_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(3600).default(15),
  RATE_LIMITS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(600_000).default(5_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(60_000).default(3_000),
  REQUEST_DEADLINE_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(500).max(600_000).default(10_000),
  REVIEW_AMOUNT: reviewAmount.prefault('500000'),
  REVIEW_NEW_PAYEE_AMOUNT: reviewAmount.prefault('100000'),
  REVIEW_VELOCITY: reviewVelocity.prefault('off'),
  HOLD_TTL_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(30 * 24 * 3600).default(86_400),
  CLAIM_TIMEOUT_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(7 * 24 * 3600).default(1_800),
  SECOND_APPROVAL_LIMIT: reviewAmount.prefault('5000000'),
  SECOND_APPROVAL_AMOUNT: reviewAmount.prefault('100000'),
  MONEY_BATCHES_IN_FLIGHT: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(16).default(1),
  MONEY_BATCH_MAX: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1000).default(256),
  ...Object.fromEntries(Object.values(RATE_LIMIT_VARIABLES).map(([name, fallback]) => [name, rateLimit.prefault(fallback)])),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]*$/, { error: 'may hold letters, digits and _ : . - only' }).default('bankingcore:'),
});

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  adminKey: string;
  adminEmail: string;
  adminPassword: string;
  /** `GET /metrics` needs `Authorization: Bearer <this>`; null: open (development and tests only, production requires it). */
  metricsToken: string | null;
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
  /** Staff (employees, admins) without TOTP may only enrol (and refresh, sign out, read /me): on by default in production. */
  mfaRequiredForStaff: boolean;
  demoData: boolean;
  /** `/health/ready` also waits for a live worker (off for an api started alone on purpose). */
  readyRequiresWorker: boolean;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  corsOrigins: string[];
  /** "trust proxy": whose X-Forwarded-For is believed (per-IP rate limits see the client behind it). */
  trustProxy: string[];
  webRoot: string | undefined;
  /** How long an approved `card_pin_reset` / `name_change` waits for the customer's input. */
  requestInputWindowS: number;
  /** The worker's sweep re-enqueues a request that sat in `submitted` or `approved` this long. */
  requestSweepAfterS: number;
  requestSweepIntervalS: number;
  /** How often the worker looks for due scheduled transfers (API.md "Payees, scheduled transfers…"). */
  scheduleSweepIntervalS: number;
  /** False with `RATE_LIMITS=off` (benchmarks and load tests only; refused in production). */
  rateLimitsOn: boolean;
  rateLimits: Record<RateLimitName, RateLimitSetting>;
  /** Bounded waits on PostgreSQL (issue 15): a statement, a connection or a free pooled connection. */
  database: {
    /** PostgreSQL cancels a statement after this long (statement_timeout), and a transaction left idle (idle_in_transaction_session_timeout). */
    statementTimeoutMs: number;
    /** Connecting, or waiting for a pooled connection, gives up after this long. */
    connectTimeoutMs: number;
  };
  /** An HTTP request not answered by then is answered 503 SERVICE_UNAVAILABLE (money commands still waiting are dropped). */
  requestDeadlineMs: number;
  /** API.md "Holds": the rules that hold a transfer for review (null: the rule is off), and how long a hold waits. */
  review: {
    amount: number | null;
    newPayeeAmount: number | null;
    velocity: { count: number; windowS: number } | null;
    holdTtlS: number;
  };
  /** API.md "The employee queue". */
  queue: {
    /** A claim untouched this long returns to the queue (the worker's sweep). */
    claimTimeoutS: number;
    /** A `limit_increase` to a daily limit above this needs a second employee's approval (null: never). */
    secondApprovalLimit: number | null;
    /** A `transaction_dispute` of an amount above this needs a second employee's approval (null: never). */
    secondApprovalAmount: number | null;
  };
  /** Group commit of money commands (DESIGN.md "The money path"). */
  moneyPath: {
    /** Batches on their way to PostgreSQL at once, per api process. */
    batchesInFlight: number;
    /** Commands in one batch at most. */
    batchMax: number;
    /** Connections of the money path's own pool: one per batch in flight, one for PIN card reads. */
    connections: number;
  };
  /** Secrets that fell back to development defaults, for the start-up log. */
  defaultedSecrets: SecretName[];
}

function rateLimitSettings(vars: Record<string, RateLimitSetting>): Record<RateLimitName, RateLimitSetting> {
  return Object.fromEntries(Object.entries(RATE_LIMIT_VARIABLES).map(([name, [variable]]) => [name, vars[variable]])) as Record<RateLimitName, RateLimitSetting>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and checks the environment once; every invalid variable is named in the error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const withoutEmpty = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(withoutEmpty);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const vars = parsed.data;
  const isProduction = vars.NODE_ENV === 'production';
  const defaultedSecrets: SecretName[] = [];
  const problems: string[] = [];
  const secret = (name: SecretName): string => {
    const value = vars[name];
    if (isProduction && (value === undefined || value === DEVELOPMENT_SECRETS[name])) {
      problems.push(`${name}: must be set to a real secret in production (missing or the development default)`);
    }
    if (value === undefined) defaultedSecrets.push(name);
    return value ?? DEVELOPMENT_SECRETS[name];
  };
  const config: AppConfig = {
    nodeEnv: vars.NODE_ENV,
    isProduction,
    port: vars.PORT,
    host: vars.HOST,
    databaseUrl: vars.DATABASE_URL,
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    jwtSecret: secret('JWT_SECRET'),
    adminKey: secret('ADMIN_KEY'),
    adminEmail: vars.ADMIN_EMAIL.toLowerCase(),
    adminPassword: secret('ADMIN_PASSWORD'),
    metricsToken: vars.METRICS_TOKEN ?? null,
    accessTokenTtlS: vars.ACCESS_TOKEN_TTL_S,
    refreshTokenTtlS: vars.REFRESH_TOKEN_TTL_S,
    mfaRequiredForStaff: vars.MFA_REQUIRED_FOR_STAFF ?? isProduction,
    demoData: vars.DEMO_DATA,
    readyRequiresWorker: vars.READY_REQUIRES_WORKER,
    logLevel: vars.LOG_LEVEL,
    corsOrigins: vars.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    trustProxy: vars.TRUST_PROXY,
    webRoot: vars.WEB_ROOT,
    requestInputWindowS: vars.REQUEST_INPUT_WINDOW_S,
    requestSweepAfterS: vars.REQUEST_SWEEP_AFTER_S,
    requestSweepIntervalS: vars.REQUEST_SWEEP_INTERVAL_S,
    scheduleSweepIntervalS: vars.SCHEDULE_SWEEP_INTERVAL_S,
    rateLimitsOn: vars.RATE_LIMITS === 'on',
    rateLimits: rateLimitSettings(vars as unknown as Record<string, RateLimitSetting>),
    database: { statementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS, connectTimeoutMs: vars.DATABASE_CONNECT_TIMEOUT_MS },
    requestDeadlineMs: vars.REQUEST_DEADLINE_MS,
    review: { amount: vars.REVIEW_AMOUNT, newPayeeAmount: vars.REVIEW_NEW_PAYEE_AMOUNT, velocity: vars.REVIEW_VELOCITY, holdTtlS: vars.HOLD_TTL_S },
    queue: { claimTimeoutS: vars.CLAIM_TIMEOUT_S, secondApprovalLimit: vars.SECOND_APPROVAL_LIMIT, secondApprovalAmount: vars.SECOND_APPROVAL_AMOUNT },
    moneyPath: { batchesInFlight: vars.MONEY_BATCHES_IN_FLIGHT, batchMax: vars.MONEY_BATCH_MAX, connections: vars.MONEY_BATCHES_IN_FLIGHT + 1 },
    defaultedSecrets,
  };
  if (isProduction && config.metricsToken === null) problems.push('METRICS_TOKEN: must be set in production (the Prometheus scraper sends it as a bearer token; /metrics is otherwise public)');
  if (isProduction && config.demoData) problems.push('DEMO_DATA: must be off in production (demo users have published passwords)');
  if (isProduction && !config.rateLimitsOn) problems.push('RATE_LIMITS: must be on in production (off is for benchmarks and load tests)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The process's config: `.env` in the working directory (if any) under the real environment, which wins. */
export function loadProcessConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadConfig(process.env);
}
