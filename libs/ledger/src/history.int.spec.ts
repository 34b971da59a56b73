import { bearer, TestApp } from '../../../test/support/test-app';

describe('statement pagination (keyset, newest first)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('pages 250 entries by 100 with no duplicate and no gap while new entries keep arriving', async () => {
    const c = await t.newCustomer();
    const auth = bearer(c.accessToken);
    const deposit = (amount: number) => t.http().post(`/api/v1/accounts/${c.accountId}/deposits`).set(auth).send({ amount }).expect(201);
    for (let batch = 0; batch < 25; batch++) await Promise.all(Array.from({ length: 10 }, (_, i) => deposit(batch * 10 + i + 1)));
    const existing = await t.sql<{ id: string }>('select id from ledger_entries where account_id = ?', [c.accountId]);
    expect(existing).toHaveLength(250);

    let stop = false;
    const concurrentInserts = (async () => {
      let made = 0;
      while (!stop) {
        await deposit(1);
        made++;
      }
      return made;
    })();
    const seen: Array<{ id: string; balanceAfter: number }> = [];
    let cursor: string | null = null;
    let pages = 0;
    try {
      do {
        const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
        const page = await t.http().get(`/api/v1/accounts/${c.accountId}/transactions${query}`).set(auth).expect(200);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
        pages++;
        await new Promise((r) => setTimeout(r, 30));
      } while (cursor);
    } finally {
      stop = true;
    }
    expect(await concurrentInserts).toBeGreaterThan(0);
    const ids = seen.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { id } of existing) expect(ids).toContain(id);
    for (let i = 1; i < seen.length; i++) expect(seen[i].balanceAfter).toBeLessThan(seen[i - 1].balanceAfter);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('validates limit and cursor', async () => {
    const c = await t.newCustomer();
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?cursor=bm9wZQ', '?page=2']) {
      const response = await t.http().get(`/api/v1/accounts/${c.accountId}/transactions${query}`).set(bearer(c.accessToken));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const empty = await t.http().get(`/api/v1/accounts/${c.accountId}/transactions`).set(bearer(c.accessToken)).expect(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });
});
