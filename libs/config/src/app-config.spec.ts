import { ConfigError, DEVELOPMENT_SECRETS, loadConfig } from './app-config';

const productionSecrets = {
  NODE_ENV: 'production',
  JWT_SECRET: 'p'.repeat(48),
  ADMIN_KEY: 'k'.repeat(32),
  ADMIN_PASSWORD: 'a-real-admin-password',
  METRICS_TOKEN: 'm'.repeat(40),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('uses the documented defaults in development and says which secrets were defaulted', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/bankingcore',
      redisUrl: 'redis://127.0.0.1:6379',
      jwtSecret: DEVELOPMENT_SECRETS.JWT_SECRET,
      demoData: false,
    });
    expect(config.defaultedSecrets).toEqual(['JWT_SECRET', 'ADMIN_KEY', 'ADMIN_PASSWORD']);
  });

  it('MFA_REQUIRED_FOR_STAFF: on by default in production only, validated, and may be set either way', () => {
    expect(loadConfig({}).mfaRequiredForStaff).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).mfaRequiredForStaff).toBe(false);
    expect(loadConfig(productionSecrets).mfaRequiredForStaff).toBe(true);
    expect(loadConfig({ ...productionSecrets, MFA_REQUIRED_FOR_STAFF: 'false' }).mfaRequiredForStaff).toBe(false);
    expect(loadConfig({ MFA_REQUIRED_FOR_STAFF: 'true' }).mfaRequiredForStaff).toBe(true);
    expect(problemsOf({ MFA_REQUIRED_FOR_STAFF: 'sometimes' })).toEqual([expect.stringMatching(/^MFA_REQUIRED_FOR_STAFF: must be true or false/)]);
  });

  it('names each invalid variable', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', REDIS_URL: 'nope', NODE_ENV: 'staging', DEMO_DATA: 'maybe' });
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'DEMO_DATA']) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('refuses production with missing or default secrets, naming them', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual(['JWT_SECRET', 'ADMIN_KEY', 'ADMIN_PASSWORD', 'METRICS_TOKEN']);
    expect(problemsOf({ ...productionSecrets, JWT_SECRET: DEVELOPMENT_SECRETS.JWT_SECRET })).toEqual([expect.stringMatching(/^JWT_SECRET:/)]);
    expect(problemsOf({ ...productionSecrets, JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/^JWT_SECRET: must be at least 32/)]);
    expect(problemsOf({ ...productionSecrets, DEMO_DATA: 'true' })).toEqual([expect.stringMatching(/^DEMO_DATA:/)]);
    expect(problemsOf({ ...productionSecrets, METRICS_TOKEN: '' })).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be set in production/)]);
    expect(problemsOf({ ...productionSecrets, METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be at least 32/)]);
    expect(loadConfig({}).metricsToken).toBeNull();
  });

  it('accepts production with real secrets and treats empty variables as unset', () => {
    const config = loadConfig({ ...productionSecrets, PORT: '', CORS_ORIGINS: 'https://bank.example, https://admin.bank.example' });
    expect(config).toMatchObject({ isProduction: true, port: 3000, defaultedSecrets: [], corsOrigins: ['https://bank.example', 'https://admin.bank.example'] });
  });

  it('has the DESIGN.md rate limits by default, each changeable, and refuses them off in production', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      'login-ip': { limit: 20, windowS: 60 },
      'login-email': { limit: 10, windowS: 60 },
      'register-ip': { limit: 10, windowS: 60 },
      'register-email': { limit: 5, windowS: 60 },
      'refresh-ip': { limit: 30, windowS: 60 },
      'money-user': { limit: 120, windowS: 60 },
      'admin-user': { limit: 60, windowS: 60 },
      'lookup-user': { limit: 30, windowS: 60 },
    });
    expect(loadConfig({ RATE_LIMIT_LOGIN_PER_IP: ' 3 / 10 ' }).rateLimits?.['login-ip']).toEqual({ limit: 3, windowS: 10 });
    expect(loadConfig({}).rateLimitsOn).toBe(true);
    expect(loadConfig({ RATE_LIMITS: 'off' }).rateLimitsOn).toBe(false);
    expect(problemsOf({ RATE_LIMIT_MONEY_PER_USER: '120 per minute', RATE_LIMIT_LOGIN_PER_EMAIL: '0/60', RATE_LIMITS: 'maybe' }).map((p) => p.split(':')[0]).sort()).toEqual([
      'RATE_LIMITS',
      'RATE_LIMIT_LOGIN_PER_EMAIL',
      'RATE_LIMIT_MONEY_PER_USER',
    ]);
    expect(problemsOf({ ...productionSecrets, RATE_LIMITS: 'off' })).toEqual([expect.stringMatching(/^RATE_LIMITS: must be on in production/)]);
  });

  it('trusts X-Forwarded-For from loopback by default; TRUST_PROXY names other proxies and refuses what the proxy list would not understand', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: 'loopback, uniquelocal,10.1.0.0/16,::1' }).trustProxy).toEqual(['loopback', 'uniquelocal', '10.1.0.0/16', '::1']);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toEqual(['loopback']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'nginx', '10.0.0.1/8/1']) {
      expect(problemsOf({ TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY: must list/)]);
    }
  });
});
