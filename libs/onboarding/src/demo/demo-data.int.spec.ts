import type { AdminUserDetail } from '@bank/contracts/admin';
import type { LedgerCheck } from '@bank/contracts/ledger';
import { bearer, TestApp } from '../../../../test/support/test-app';
import { DemoDataService } from './demo-data.service';
import { DEMO_CUSTOMERS, DEMO_EMPLOYEE, DEMO_HISTORY_DAYS, DEMO_PASSWORD } from './demo-users';

const DEMO_EMAILS = [...DEMO_CUSTOMERS.map((c) => c.email), DEMO_EMPLOYEE.email];

describe('demo data (DEMO_DATA=true): customers with weeks of history, open requests, a held transfer, security events — made once', () => {
  let t: TestApp;

  /** What the demo made, counted in the database. */
  const census = async () => {
    const [row] = await t.sql<Record<string, number>>(
      `select (select count(*)::int from users where email in (?)) as users,
              (select count(*)::int from ledger_entries e join accounts a on a.id = e.account_id join users u on u.id = a.owner_id where u.email in (?)) as entries,
              (select count(*)::int from service_requests r join users u on u.id = r.owner_id where u.email in (?)) as requests,
              (select count(*)::int from holds h join users u on u.id = h.owner_id where u.email in (?)) as holds,
              (select count(*)::int from payees p join users u on u.id = p.owner_id where u.email in (?)) as payees,
              (select count(*)::int from scheduled_transfers s join users u on u.id = s.owner_id where u.email in (?)) as schedules,
              (select count(*)::int from security_events s left join users u on u.id = s.user_id where u.email in (?) or s.detail->>'email' = 'mallory@example.com') as "securityEvents"`,
      [DEMO_EMAILS, DEMO_EMAILS, DEMO_EMAILS, DEMO_EMAILS, DEMO_EMAILS, DEMO_EMAILS, DEMO_EMAILS],
    );
    return row;
  };

  beforeAll(async () => {
    t = await TestApp.start({ DEMO_DATA: 'true' });
  }, 60_000);
  afterAll(() => t?.close());

  it('seeding again — in this process and in a second api process — adds nothing', async () => {
    const first = await census();
    expect(first).toMatchObject({ users: DEMO_EMAILS.length, holds: 1, payees: 2, schedules: 2 });
    await t.app.get(DemoDataService).seed();
    const second = await TestApp.start({ DEMO_DATA: 'true' });
    await second.close();
    expect(await census()).toEqual(first);
  });

  it('the ledger stays balanced, and every demo balance is the sum of its entries', async () => {
    const admin = await t.admin();
    const check = (await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200)).body as LedgerCheck;
    expect(check).toMatchObject({ balanced: true, mismatches: [], unbalancedTransactions: [], negativeBalances: [], heldMismatches: [] });
    const accounts = await t.sql<{ balance: string; sum: string; entry_count: string; last_seq: string }>(
      `select a.balance, sum(e.amount) as sum, a.entry_count, max(e.account_seq) as last_seq
         from accounts a join users u on u.id = a.owner_id join ledger_entries e on e.account_id = a.id
        where u.email in (?) group by a.id`,
      [DEMO_EMAILS],
    );
    expect(accounts).toHaveLength(DEMO_CUSTOMERS.length);
    for (const account of accounts) {
      expect(account.balance).toBe(account.sum);
      expect(account.entry_count).toBe(account.last_seq);
    }
  });

  it('each customer has weeks of varied history, in date order, for the balance chart', async () => {
    const alice = await t.login(DEMO_CUSTOMERS[0].email, DEMO_PASSWORD);
    const [account] = (await t.http().get('/api/v1/accounts').set(bearer(alice.accessToken)).expect(200)).body.items as Array<{ id: string }>;
    const history = (await t.http().get(`/api/v1/accounts/${account.id}/transactions?limit=100`).set(bearer(alice.accessToken)).expect(200)).body.items as Array<{
      kind: string;
      createdAt: string;
      counterparty: { name: string } | null;
    }>;
    expect(new Set(history.map((e) => e.kind))).toEqual(new Set(['deposit', 'withdrawal', 'transfer']));
    expect(history.some((e) => e.counterparty !== null)).toBe(true);
    const times = history.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Date.now() - Math.min(...times)).toBeGreaterThan((DEMO_HISTORY_DAYS - 1) * 86_400_000);
    const days = new Set(history.map((e) => e.createdAt.slice(0, 10)));
    expect(days.size).toBeGreaterThan(7);
  });

  it('open requests of several types (some overdue), a held transfer under review, and security events with one customer locked out', async () => {
    const requests = await t.sql<{ type: string; status: string; hours: number }>(
      `select r.type, r.status, extract(epoch from now() - r.created_at) / 3600 as hours
         from service_requests r join users u on u.id = r.owner_id where u.email in (?)`,
      [DEMO_EMAILS],
    );
    expect(new Set(requests.map((r) => r.type))).toEqual(new Set(['limit_increase', 'kyc_update', 'card_pin_reset', 'name_change', 'account_freeze', 'transfer_review']));
    expect(requests.every((r) => r.status === 'pending_review')).toBe(true);
    expect(requests.filter((r) => Number(r.hours) > 24).map((r) => r.type).sort()).toEqual(['kyc_update', 'limit_increase']);

    const [hold] = await t.sql<{ status: string; amount: string; reason: string }>(
      `select h.status, h.amount, h.reason from holds h join users u on u.id = h.owner_id where u.email = ?`,
      [DEMO_CUSTOMERS[2].email],
    );
    expect(hold).toMatchObject({ status: 'pending', reason: 'amount' });
    expect(Number(hold.amount)).toBeGreaterThan(t.config.review.amount ?? Infinity);

    const admin = await t.admin();
    const frank = (await t.http().get(`/api/v1/admin/users?q=${DEMO_CUSTOMERS[5].email}`).set(bearer(admin.accessToken)).expect(200)).body.items[0] as { id: string };
    const detail = (await t.http().get(`/api/v1/admin/users/${frank.id}`).set(bearer(admin.accessToken)).expect(200)).body as AdminUserDetail;
    expect(detail).toMatchObject({ status: 'locked', failedLogins: 5 });
    expect(detail.recentSecurityEvents.map((e) => e.type)).toEqual(['account.locked', ...Array(5).fill('login.failed')]);
    const types = await t.sql<{ type: string }>(`select distinct type from security_events where ip in ('203.0.113.24', '198.51.100.9', '203.0.113.77')`);
    expect(types.map((r) => r.type).sort()).toEqual(['account.locked', 'login.failed', 'rate_limited']);
    // The printed logins still work (Frank's lock is the admin's to lift).
    await t.login(DEMO_CUSTOMERS[1].email, DEMO_PASSWORD);
    await t.http().post('/api/v1/auth/login').send({ email: DEMO_CUSTOMERS[5].email, password: DEMO_PASSWORD }).expect(423);
  });
});
