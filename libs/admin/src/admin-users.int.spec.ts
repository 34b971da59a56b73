import { randomBytes } from 'node:crypto';
import type { AdminUserDetail } from '@bank/contracts/admin';
import type { Page } from '@bank/contracts/pagination';
import type { UserView } from '@bank/contracts/users';
import { bearer, TestApp, TEST_PASSWORD, TEST_PIN } from '../../../test/support/test-app';

describe('admins find users (search, keyset pages) and open one user (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let adminToken: string;
  /** Letters only, so it is part of no other test's email or name. */
  const tag = randomBytes(6).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]);

  beforeAll(async () => {
    t = await TestApp.start();
    adminToken = (await t.admin()).accessToken;
  });
  afterAll(() => t.close());

  const register = async (email: string, fullName: string) => {
    const response = await t.http().post('/api/v1/auth/register').send({ email, password: TEST_PASSWORD, fullName, pin: TEST_PIN }).expect(201);
    return response.body as { user: UserView; account: { id: string; number: string } };
  };
  const search = (query: string, token = adminToken) => t.http().get(`/api/v1/admin/users?${query}`).set(bearer(token));
  const ids = (page: Page<UserView>) => page.items.map((user) => user.id);

  it('finds by a part of the email or the name, case-insensitively, and by an account number typed whole', async () => {
    const ada = await register(`ada.${tag}@search.example`, 'Ada Lovelace');
    const grace = await register(`grace@${tag}.example`, `Grace ${tag.toUpperCase()} Hopper`);
    const other = await register(`someone-${randomBytes(4).toString('hex')}@elsewhere.example`, 'Nobody Inparticular');

    const byTag = (await search(`q=${tag.toUpperCase()}&limit=100`).expect(200)).body as Page<UserView>;
    expect(ids(byTag).sort()).toEqual([ada.user.id, grace.user.id].sort());
    expect(byTag.items.find((u) => u.id === ada.user.id)).toEqual(ada.user);

    expect(ids((await search(`q=${encodeURIComponent(`ada.${tag}@sea`)}`).expect(200)).body)).toEqual([ada.user.id]);
    expect(ids((await search(`q=${encodeURIComponent(`${tag} hopper`)}`).expect(200)).body)).toEqual([grace.user.id]);

    const number = other.account.number;
    expect(ids((await search(`q=${number}`).expect(200)).body)).toEqual([other.user.id]);
    expect(ids((await search(`q=${encodeURIComponent(`${number.slice(0, 4)} ${number.slice(4, 8)}-${number.slice(8)}`)}`).expect(200)).body)).toEqual([other.user.id]);
    // A part of a number is not a number: account numbers match only whole (no fishing by digits).
    expect(ids((await search(`q=${number.slice(0, 8)}`).expect(200)).body)).not.toContain(other.user.id);

    // LIKE's wildcards are plain characters.
    expect((await search(`q=${encodeURIComponent('%')}&limit=100`).expect(200)).body.items).toEqual([]);
    expect((await search(`q=${encodeURIComponent(`_da.${tag}`)}`).expect(200)).body.items).toEqual([]);
  });

  it('narrows by role and status; a blank q is no search', async () => {
    const customer = await register(`role-${tag}@roles.example`, 'Role Customer');
    await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(adminToken)).send({ reason: 'search test' }).expect(200);
    expect(ids((await search(`q=role-${tag}&role=customer&status=locked`).expect(200)).body)).toEqual([customer.user.id]);
    expect((await search(`q=role-${tag}&role=employee`).expect(200)).body.items).toEqual([]);
    expect((await search(`q=role-${tag}&status=active`).expect(200)).body.items).toEqual([]);
    const employees = (await search('role=employee&q=%20%20&limit=100').expect(200)).body as Page<UserView>;
    expect(employees.items.every((u) => u.role === 'employee')).toBe(true);
  });

  it('pages with a cursor: every match exactly once, in id order', async () => {
    const made = await Promise.all(Array.from({ length: 7 }, (_, i) => register(`page${i}-${tag}@paging.example`, `Paging ${i}`)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<UserView> = (await search(`q=-${tag}@paging&limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((m) => m.user.id).sort());
  });

  it('refuses bad queries with 400 and non-admins with 403', async () => {
    for (const query of ['role=banker', 'status=frozen', 'limit=0', 'limit=101', `q=${'x'.repeat(101)}`, 'q=%00', 'cursor=bm90LWEtY3Vyc29y', 'sort=email']) {
      const refused = await search(query).expect(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
    const [customer, employee] = await Promise.all([t.newCustomer(), t.newStaff('employee')]);
    expect((await search(`q=${tag}`, customer.accessToken).expect(403)).body.code).toBe('FORBIDDEN');
    await search(`q=${tag}`, employee.accessToken).expect(403);
    await t.http().get(`/api/v1/admin/users/${customer.user.id}`).set(bearer(employee.accessToken)).expect(403);
    await t.http().get(`/api/v1/admin/users?q=${tag}`).expect(401);
  });

  it('a user’s page: the lock, accounts, live sessions and the latest security events; 404 for nobody', async () => {
    const customer = await t.newFundedCustomer(12_345);
    await t.login(customer.email, TEST_PASSWORD); // a second session
    await t.http().post('/api/v1/auth/login').send({ email: customer.email, password: 'not-the-password' }).expect(401);

    const before = (await t.http().get(`/api/v1/admin/users/${customer.user.id}`).set(bearer(adminToken)).expect(200)).body as AdminUserDetail;
    expect(before).toMatchObject({ id: customer.user.id, email: customer.email, role: 'customer', status: 'active', lockedAt: null, lockReason: null, failedLogins: 1, sessions: 2 });
    expect(before.accounts).toEqual([expect.objectContaining({ id: customer.accountId, number: customer.accountNumber, balance: 12_345, availableBalance: 12_345 })]);
    expect(before.recentSecurityEvents.map((e) => e.type)).toEqual(['login.failed']);

    await t.http().post('/api/v1/auth/logout').set(bearer(customer.accessToken)).send({ refreshToken: customer.refreshToken }).expect(204);
    await t.http().post(`/api/v1/admin/users/${customer.user.id}/lock`).set(bearer(adminToken)).send({ reason: 'phone stolen' }).expect(200);
    const after = (await t.http().get(`/api/v1/admin/users/${customer.user.id}`).set(bearer(adminToken)).expect(200)).body as AdminUserDetail;
    // An admin's lock ends every session of the user (issue 19).
    expect(after).toMatchObject({ status: 'locked', lockReason: 'phone stolen', sessions: 0 });
    expect(Date.parse(after.lockedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(after.recentSecurityEvents.map((e) => e.type)).toEqual(['account.locked', 'login.failed']);
    expect(after.recentSecurityEvents[0]).toMatchObject({ userId: customer.user.id, detail: { reason: 'phone stolen' } });

    const missing = await t.http().get('/api/v1/admin/users/00000000-0000-4000-8000-00000000beef').set(bearer(adminToken)).expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    await t.http().get('/api/v1/admin/users/not-a-uuid').set(bearer(adminToken)).expect(404);
  });
});
