import { readFileSync } from 'node:fs';
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
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** No Docker engine runs here: the compose file is checked as far as parsing allows. */
describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

  it('has postgres, redis, api and worker, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    for (const service of Object.values(compose.services)) expect(service.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('starts the apps only after healthy databases, with every config variable set', () => {
    for (const name of ['api', 'worker']) {
      const service = compose.services[name];
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      for (const variable of ['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
        expect(service.environment).toHaveProperty(variable);
      }
      expect(service.environment!.NODE_ENV).toBe('production');
      expect(service.environment!.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(service.environment!.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(compose.services.api.ports).toEqual(['${PORT:-3000}:3000']);
  });

  it('runs entry points that the build produces', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/npm run build/);
    for (const name of ['api', 'worker']) expect(compose.services[name].command?.[1]).toMatch(/^dist\/apps\/(api|worker)\/src\/main\.js$/);
    expect(compose.services.worker.healthcheck?.test).toContain('dist/apps/worker/src/healthcheck.js');
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
