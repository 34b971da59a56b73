import request from 'supertest';
import type { SecurityEventView } from '@bank/contracts/security';
import { bearer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, LiveClient } from '../support/live-client';

/** The limits live in Redis, so two api processes share every count (DESIGN.md "Scaling"). */
describe('rate limits across two api processes sharing Redis', () => {
  let stack: LiveStack;
  let apis: string[];
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('rate-limits', { RATE_LIMITS: 'on', RATE_LIMIT_LOGIN_PER_IP: '4/60', RATE_LIMIT_MONEY_PER_USER: '5/60' });
    apis = await Promise.all([stack.startApi(), stack.startApi()]);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  const loginFrom = (api: string, ip: string, email: string) => request(api).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: 'not-the-password' });

  it('login per IP: 4 attempts spread over both processes use the whole budget; the next is 429 on either; one sampled event reaches the admin live', async () => {
    const admin = await stack.app.admin();
    const adminSocket = await LiveClient.connect(apis[1], { token: admin.accessToken });
    clients.push(adminSocket);
    const ip = '10.200.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await loginFrom(apis[i % 2], ip, `nobody-${i}@rate.bankingcore.local`)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    for (const api of apis) {
      const refused = await loginFrom(api, ip, 'nobody-else@rate.bankingcore.local').expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    await loginFrom(apis[0], '10.200.0.2', 'nobody@rate.bankingcore.local').expect(401);

    const isRateLimited = (data: object) => {
      const event = data as Partial<SecurityEventView>;
      return event.type === 'rate_limited' && event.ip === ip;
    };
    await eventually(() => adminSocket.ofType('security.event').some((e) => isRateLimited(e.data)), 'the admin to see the rate_limited event live');
    const [{ n }] = await stack.app.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'rate_limited' and ip = ?`, [ip]);
    expect(n).toBe(1);
    expect(adminSocket.ofType('security.event').filter((e) => isRateLimited(e.data))).toHaveLength(1);
  });

  it('money POSTs per user: 12 deposits at once, half to each process, move money exactly 5 times', async () => {
    const customer = await stack.app.newCustomer();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(apis[i % 2]).post(`/api/v1/accounts/${customer.accountId}/deposits`).set(bearer(customer.accessToken)).set('Idempotency-Key', `split-${i}`).send({ amount: 1_000 }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(5).fill(201), ...Array(7).fill(429)]);
    expect(await stack.app.balanceOf(customer.accountId)).toBe(5_000);
  });
});
