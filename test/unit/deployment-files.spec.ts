import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}

const APIS = ['api-1', 'api-2'];
const WORKERS = ['worker-1', 'worker-2'];
const APPS = [...APIS, ...WORKERS];
const HEALTHY_DATABASES = { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } };

/** tsc (tsconfig.build.json: rootDir "./", outDir "./dist") puts apps/x/src/y.ts at dist/apps/x/src/y.js. */
function sourceOf(built: string): string {
  expect(built).toMatch(/^dist\/apps\/.+\.js$/);
  return built.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

/** No Docker engine runs here: the compose file is checked by parsing, and by `docker compose config` where that exists. */
describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;

  it('has postgres, redis, two apis, two workers and nginx, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['api-1', 'api-2', 'nginx', 'postgres', 'redis', 'worker-1', 'worker-2']);
    for (const service of Object.values(services)) expect(service.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('starts the apps only after healthy databases, with every config variable set', () => {
    for (const name of APPS) {
      const service = services[name];
      expect(service.image).toBe('bankingcore:latest');
      expect(service.depends_on).toEqual(HEALTHY_DATABASES);
      for (const variable of ['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'METRICS_TOKEN']) {
        expect(service.environment).toHaveProperty(variable);
      }
      expect(service.environment!.NODE_ENV).toBe('production');
      expect(service.environment!.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(service.environment!.REDIS_URL).toBe('redis://redis:6379');
      expect(service.environment!.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
      expect(service.environment!.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN:\?.+\}$/);
      expect(service.stop_grace_period).toBe('30s');
    }
    for (const name of APIS) {
      expect(services[name].environment).toMatchObject({ PORT: '3000', TRUST_PROXY: 'uniquelocal' });
      expect(services[name].healthcheck?.test.join(' ')).toContain('/health/ready');
    }
    // One image for all four: exactly one of them builds it.
    expect(APPS.filter((name) => services[name].build !== undefined)).toEqual(['api-1']);
  });

  it('publishes only nginx, which starts after both apis are healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'nginx') expect(service.ports).toBeUndefined();
    }
    const nginx = services.nginx;
    expect(nginx.image).toMatch(/^nginx:1\.27/); // `resolve` in an upstream needs 1.27.3 or later
    expect(nginx.ports).toEqual(['${PORT:-3000}:80']);
    expect(nginx.depends_on).toEqual(Object.fromEntries(APIS.map((name) => [name, { condition: 'service_healthy' }])));
    expect(nginx.volumes).toContain('./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(nginx.healthcheck?.test.join(' ')).toContain('/health/live');
  });

  it('runs entry points that the build produces', () => {
    expect(read('Dockerfile')).toMatch(/npm run build/);
    expect(read('tsconfig.build.json')).toMatch(/"rootDir": "\.\/"/);
    expect(read('tsconfig.json')).toMatch(/"outDir": "\.\/dist"/);
    for (const name of APIS) expect(services[name].command).toEqual(['node', 'dist/apps/api/src/main.js']);
    for (const name of WORKERS) {
      expect(services[name].command).toEqual(['node', 'dist/apps/worker/src/main.js']);
      expect(services[name].healthcheck?.test).toEqual(['CMD', 'node', 'dist/apps/worker/src/healthcheck.js']);
    }
    for (const built of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/apps/worker/src/healthcheck.js']) {
      expect(existsSync(join(root, sourceOf(built)))).toBe(true);
    }
  });

  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
  const composeTest = composeCli ? it : it.skip;
  const composeNote = composeCli ? '' : ' [skipped: no `docker compose` subcommand here]';

  composeTest(`is accepted by docker compose config with the secrets set, and refused naming JWT_SECRET without it${composeNote}`, () => {
    // An empty env file: a developer's own .env must not supply what the test leaves out.
    const dir = mkdtempSync(join(tmpdir(), 'bankingcore-compose-'));
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const config = (env: NodeJS.ProcessEnv): SpawnSyncReturns<string> =>
      spawnSync('docker', ['compose', '-f', 'docker-compose.yml', '--env-file', envFile, 'config', '--quiet'], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
    try {
      const secrets = { JWT_SECRET: 'j'.repeat(32), ADMIN_KEY: 'k'.repeat(16), ADMIN_PASSWORD: 'p'.repeat(12), METRICS_TOKEN: 'm'.repeat(32) };
      const accepted = config({ ...process.env, ...secrets });
      expect({ status: accepted.status, stderr: accepted.stderr }).toMatchObject({ status: 0 });

      const withoutJwt: NodeJS.ProcessEnv = { ...process.env, ...secrets };
      delete withoutJwt.JWT_SECRET;
      const refused = config(withoutJwt);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/JWT_SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The body of the first `<header> { ... }` block in an nginx config (comments already stripped). */
function block(config: string, header: RegExp): string {
  const match = new RegExp(`${header.source}\\s*\\{`).exec(config);
  if (!match) throw new Error(`no block ${header} in the nginx config`);
  let depth = 1;
  for (let i = match.index + match[0].length; i < config.length; i++) {
    if (config[i] === '{') depth++;
    if (config[i] === '}' && --depth === 0) return config.slice(match.index + match[0].length, i);
  }
  throw new Error(`unbalanced block ${header}`);
}

function seconds(duration: string): number {
  const [, value, unit] = /^(\d+)(ms|s|m|h)?$/.exec(duration) ?? [];
  return Number(value) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(unit ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

describe('the nginx config that docker-compose.yml mounts', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const mounted = compose.services.nginx.volumes!.find((volume) => volume.includes(':/etc/nginx/nginx.conf'))!;
  const file = mounted.split(':')[0].replace(/^\.\//, '');
  const raw = read(file);
  const config = raw.replace(/#.*$/gm, '');
  const upstreamOf = (location: string) => /proxy_pass\s+http:\/\/([\w-]+)\s*;/.exec(location)?.[1];

  it('balances over exactly the api services of the compose file, on their port', () => {
    const apis = APIS.map((name) => `${name}:${compose.services[name].environment!.PORT}`);
    for (const upstream of ['api', 'api_sticky']) {
      const servers = [...block(config, new RegExp(`upstream ${upstream}`)).matchAll(/^\s*server\s+(\S+)/gm)].map((m) => m[1]);
      expect(servers).toEqual(apis);
    }
    expect(block(config, /upstream api/)).toMatch(/max_fails=\d+ fail_timeout=\d+s/);
    expect(block(config, /upstream api/)).not.toMatch(/\b(hash|ip_hash|least_conn|random)\b/); // round-robin
    expect(block(config, /server/)).toMatch(/listen 80;/);
  });

  it('passes WebSocket upgrades and keeps Socket.IO long-polling on one api', () => {
    expect(config).toMatch(/map \$http_upgrade \$connection_upgrade \{\s*default\s+upgrade;\s*''\s+close;\s*\}/);
    const socket = block(config, /location \/socket\.io\//);
    expect(socket).toMatch(/proxy_http_version 1\.1;/);
    expect(socket).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(socket).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(socket).toMatch(/proxy_buffering off;/);
    expect(socket).toMatch(/proxy_set_header X-Forwarded-For /);
    // Above Socket.IO's ping interval + timeout (25 s + 20 s), so an idle socket is not cut.
    expect(seconds(/proxy_read_timeout (\S+);/.exec(socket)![1])).toBeGreaterThan(45);
    expect(block(config, new RegExp(`upstream ${upstreamOf(socket)}`))).toMatch(/^\s*hash \$\w+ consistent;/m);
  });

  it('forwards the client to the apis and never resends a POST', () => {
    const rest = block(config, /location \//);
    expect(upstreamOf(rest)).toBe('api');
    for (const header of ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host']) expect(rest).toMatch(new RegExp(`proxy_set_header ${header} `));
    expect(config).toMatch(/client_max_body_size 1m;/);
    expect(rest).toMatch(/proxy_next_upstream error timeout http_502 http_503;/);
    expect(config).not.toMatch(/non_idempotent/);
    expect(config).toMatch(/server_tokens off;/);
  });

  it('never proxies the apis\' metrics (exposed internals): /metrics and /api/v1/metrics end at nginx', () => {
    for (const path of ['/metrics', '/api/v1/metrics']) {
      const location = block(config, new RegExp(`location = ${path.replace(/\//g, '\\/')}`));
      expect(location).toMatch(/return 404 /);
      expect(location).not.toMatch(/proxy_pass/);
    }
  });

  const nginxVersion = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8', timeout: 5_000 }).stderr ?? '');
  const nginxTest = nginxVersion ? it : it.skip;

  nginxTest(`passes nginx -t, with the api names pointed at this machine${nginxVersion ? '' : ' [skipped: no nginx binary here]'}`, () => {
    const [major, minor, patch] = nginxVersion!.slice(1).map(Number);
    const resolveSupported = major > 1 || minor > 27 || (minor === 27 && patch >= 3);
    const dir = mkdtempSync(join(tmpdir(), 'bankingcore-nginx-'));
    try {
      // api-1/api-2 resolve only inside Docker; an older nginx also lacks `resolve` in upstreams.
      let local = raw.replace(/\bapi-(\d+):3000\b/g, '127.0.0.1:300$1');
      if (!resolveSupported) local = local.replace(/(server 127\.0\.0\.1:\d+) resolve\b/g, '$1');
      writeFileSync(join(dir, 'nginx.conf'), local);
      const test = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `pid ${join(dir, 'nginx.pid')};`], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'ignore', 'pipe'], // its access log opens /dev/stdout, which cannot be the socket Node would give it
      });
      expect({ status: test.status, stderr: test.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README and CI run the same test command', () => {
  it('.ci/run calls the test command the README gives', () => {
    const readme = read('README.md');
    const ci = read('.ci/run');
    expect(readme).toMatch(/^npm test$/m);
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).toMatch(/npm ci/);
  });
});
