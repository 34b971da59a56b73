import type { AccountView } from '../../libs/contracts/src/accounts';
import type { HoldStatus, HoldView } from '../../libs/contracts/src/holds';
import { bearer, type TestApp, type TestCustomer } from './test-app';

/**
 * What the holds suites read to check an outcome: accounts, holds and the ledger check over HTTP,
 * entries and reservations straight from the database.
 */
export function holdsProbe(app: () => TestApp) {
  const http = () => app().http();
  return {
    account: async (c: TestCustomer): Promise<AccountView> => (await http().get(`/api/v1/accounts/${c.accountId}`).set(bearer(c.accessToken)).expect(200)).body as AccountView,
    getHold: async (id: string, who: { accessToken: string }): Promise<HoldView> => (await http().get(`/api/v1/holds/${id}`).set(bearer(who.accessToken)).expect(200)).body as HoldView,
    /** Every hold of the customer, walking the pages (newest first). */
    holdsOf: async (c: TestCustomer, status?: HoldStatus): Promise<HoldView[]> => {
      const all: HoldView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '100', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
        const page: { body: { items: HoldView[]; nextCursor: string | null } } = await http().get(`/api/v1/holds?${query.toString()}`).set(bearer(c.accessToken)).expect(200);
        all.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return all;
    },
    /** Entries of transfers on an account (the ledger itself, not the api's view of it). */
    transferEntries: async (accountId: string): Promise<number> =>
      (await app().sql<{ n: number }>(`select count(*)::int as n from ledger_entries e join ledger_transactions x on x.id = e.transaction_id where e.account_id = ? and x.kind = 'transfer'`, [accountId]))[0].n,
    entriesSum: async (accountId: string): Promise<number> =>
      Number((await app().sql<{ s: string }>('select coalesce(sum(amount), 0)::text as s from ledger_entries where account_id = ?', [accountId]))[0].s),
    ledgerCheck: async (): Promise<Record<string, unknown>> => {
      const admin = await app().admin();
      return (await http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200)).body as Record<string, unknown>;
    },
    /** Every account's `held` is the sum of its pending holds (also the ledger check's heldMismatches). */
    expectHeldToMatchPendingHolds: async (): Promise<void> => {
      const wrong = await app().sql(
        `select a.id, a.held, coalesce(h.pending, 0) as pending from accounts a
         left join (select account_id, sum(amount) as pending from holds where status = 'pending' group by account_id) h on h.account_id = a.id
         where a.held <> coalesce(h.pending, 0)`,
      );
      expect(wrong).toEqual([]);
    },
  };
}
