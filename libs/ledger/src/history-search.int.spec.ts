import { RequestContext } from '@mikro-orm/postgresql';
import type { EntryView, TransactionKind } from '@bank/contracts/ledger';
import type { Page } from '@bank/contracts/pagination';
import { bearer, TestApp, type TestCustomer } from '../../../test/support/test-app';
import { BackdatedPostingsService, type BackdatedPosting } from './backdated/backdated-postings.service';

/** What the owner's history must show for one posting: the model the api's answers are checked against. */
interface ModelEntry {
  kind: TransactionKind;
  amount: number;
  day: string;
  at: string;
  description: string | null;
  counterpartyName: string | null;
}

type Filter = { from?: string; to?: string; kind?: TransactionKind; minAmount?: number; maxAmount?: number; q?: string };

function matches(entry: ModelEntry, filter: Filter): boolean {
  const text = filter.q?.trim().toLowerCase();
  return (
    (filter.from === undefined || entry.day >= filter.from) &&
    (filter.to === undefined || entry.day <= filter.to) &&
    (filter.kind === undefined || entry.kind === filter.kind) &&
    (filter.minAmount === undefined || Math.abs(entry.amount) >= filter.minAmount) &&
    (filter.maxAmount === undefined || Math.abs(entry.amount) <= filter.maxAmount) &&
    (!text || (entry.description ?? '').toLowerCase().includes(text) || (entry.counterpartyName ?? '').toLowerCase().includes(text))
  );
}

const shape = (entry: EntryView) => `${entry.createdAt} ${entry.kind} ${entry.amount} ${entry.description} ${entry.counterparty?.name ?? '-'}`;
const modelShape = (entry: ModelEntry) => `${entry.at} ${entry.kind} ${entry.amount} ${entry.description} ${entry.counterpartyName ?? '-'}`;

describe('history search: filters on GET /accounts/:id/transactions against a model (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let owner: TestCustomer;
  const model: ModelEntry[] = [];
  const names = ['Zelda Quartermain', 'Yusuf Okonkwo', 'Xavier Bloom'];

  beforeAll(async () => {
    t = await TestApp.start();
    owner = await t.newCustomer({ fullName: 'Olive Searcher' });
    const others = await Promise.all(names.map((fullName) => t.newCustomer({ fullName })));

    // Six October days; a few postings a day at fixed hours, two of them a millisecond either side of a midnight.
    const postings: BackdatedPosting[] = others.map((other, i) => ({
      kind: 'deposit',
      debitAccountId: null,
      creditAccountId: other.accountId,
      amount: 1_000_000,
      description: 'Opening',
      initiatedBy: other.user.id,
      at: new Date(`2026-09-30T0${i}:00:00.000Z`),
    }));
    const descriptions = ['Rent October', 'Groceries', 'Dinner 50% split', 'Coffee_beans', 'Books', 'Refund groceries'];
    let n = 0;
    const add = (posting: Omit<BackdatedPosting, 'initiatedBy'>, counterparty: number | null) => {
      postings.push({ ...posting, initiatedBy: owner.user.id });
      const credit = posting.creditAccountId === owner.accountId;
      const at = posting.at.toISOString();
      model.push({
        kind: posting.kind,
        amount: credit ? posting.amount : -posting.amount,
        day: at.slice(0, 10),
        at,
        description: posting.description,
        counterpartyName: counterparty === null ? null : names[counterparty],
      });
    };
    for (let day = 1; day <= 6; day++) {
      const date = `2026-10-0${day}`;
      add({ kind: 'deposit', debitAccountId: null, creditAccountId: owner.accountId, amount: 50_000 + day, description: day % 2 ? 'Salary ACME' : 'Cash deposit', at: new Date(`${date}T08:00:00.000Z`) }, null);
      for (let k = 0; k < 3; k++) {
        const other = n % 3;
        const description = descriptions[n % descriptions.length];
        const outgoing = n % 2 === 0;
        add(
          {
            kind: 'transfer',
            debitAccountId: outgoing ? owner.accountId : others[other].accountId,
            creditAccountId: outgoing ? others[other].accountId : owner.accountId,
            amount: 1_000 * (1 + (n % 5)),
            description,
            at: new Date(`${date}T1${k}:30:00.000Z`),
          },
          other,
        );
        n++;
      }
      add({ kind: 'withdrawal', debitAccountId: owner.accountId, creditAccountId: null, amount: 2_000, description: day === 3 ? 'ATM 100% Main St' : 'ATM', at: new Date(`${date}T23:59:59.999Z`) }, null);
    }
    add({ kind: 'deposit', debitAccountId: null, creditAccountId: owner.accountId, amount: 3_000, description: 'Midnight', at: new Date('2026-10-07T00:00:00.000Z') }, null);
    const posted = await RequestContext.create(t.orm().em, () => t.app.get(BackdatedPostingsService).postOnce(`history-search-${owner.accountId}`, postings));
    expect(posted).toBe(true);

    // Two postings through the ordinary money path today, after the history.
    const auth = bearer(owner.accessToken);
    const deposit = await t.http().post(`/api/v1/accounts/${owner.accountId}/deposits`).set(auth).send({ amount: 7_000, description: 'Birthday GIFT' }).expect(201);
    model.push({ kind: 'deposit', amount: 7_000, day: deposit.body.transaction.createdAt.slice(0, 10), at: deposit.body.transaction.createdAt, description: 'Birthday GIFT', counterpartyName: null });
    const transfer = await t.http().post('/api/v1/transfers').set(auth).send({ fromAccountId: owner.accountId, toAccountNumber: others[1].accountNumber, amount: 3_000, description: 'Concert tickets' }).expect(201);
    model.push({ kind: 'transfer', amount: -3_000, day: transfer.body.transaction.createdAt.slice(0, 10), at: transfer.body.transaction.createdAt, description: 'Concert tickets', counterpartyName: names[1] });
    model.reverse(); // newest first, as the history lists it
  });
  afterAll(() => t.close());

  const list = (query: Record<string, string | number>) =>
    t
      .http()
      .get(`/api/v1/accounts/${owner.accountId}/transactions`)
      .query(query)
      .set(bearer(owner.accessToken));

  /** Every page of a filtered list with a small limit: every match once, in order. */
  async function walk(filter: Filter, limit = 3): Promise<EntryView[]> {
    const seen: EntryView[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const response = await list({ ...filter, limit, ...(cursor ? { cursor } : {}) }).expect(200);
      const body = response.body as Page<EntryView>;
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) return seen;
      expect(body.items).toHaveLength(limit);
    }
    throw new Error('the filtered list never ended');
  }

  it('the unfiltered history is the model (the model is right before it judges the filters)', async () => {
    expect((await walk({}, 100)).map(shape)).toEqual(model.map(modelShape));
  });

  const cases: Array<[string, Filter]> = [
    ['from only', { from: '2026-10-04' }],
    ['to only (inclusive, up to 23:59:59.999)', { to: '2026-10-03' }],
    ['one day (from = to)', { from: '2026-10-03', to: '2026-10-03' }],
    ['a day holding only the midnight entry', { from: '2026-10-07', to: '2026-10-07' }],
    ['a range before any entry', { from: '2020-01-01', to: '2020-12-31' }],
    ['a range after every entry', { from: '2099-01-01' }],
    ['kind deposit', { kind: 'deposit' }],
    ['kind withdrawal', { kind: 'withdrawal' }],
    ['kind transfer', { kind: 'transfer' }],
    ['kind reversal (none)', { kind: 'reversal' }],
    ['minAmount (absolute: debits too)', { minAmount: 4_000 }],
    ['maxAmount', { maxAmount: 2_000 }],
    ['exact amount', { minAmount: 3_000, maxAmount: 3_000 }],
    ['minAmount 0', { minAmount: 0 }],
    ['q in a description, any case', { q: 'GROCERIES' }],
    ['q in a counterparty name', { q: 'okonk' }],
    ['q in a name or a description', { q: 'ain' }],
    ['q with % matches it literally', { q: '50%' }],
    ['q with _ matches it literally', { q: 'coffee_' }],
    ['q trimmed', { q: '  rent  ' }],
    ['q matching nothing', { q: 'no such text anywhere' }],
    ['kind + q', { kind: 'transfer', q: 'bloom' }],
    ['dates + amount', { from: '2026-10-02', to: '2026-10-05', minAmount: 2_000, maxAmount: 4_000 }],
    ['dates + kind + q', { from: '2026-10-01', to: '2026-10-04', kind: 'transfer', q: 'ent' }],
    ['everything at once', { from: '2026-10-01', to: '2026-12-31', kind: 'transfer', minAmount: 1_000, maxAmount: 5_000, q: 'ook' }],
  ];
  it.each(cases)('%s: every page together is the model, each match once, in order', async (_name, filter) => {
    const expected = model.filter((entry) => matches(entry, filter)).map(modelShape);
    const found = await walk(filter);
    expect(found.map(shape)).toEqual(expected);
    expect(new Set(found.map((entry) => entry.id)).size).toBe(found.length);
  });

  it('checks the filters themselves are not vacuous here (each case above picks some but not all)', () => {
    const picked = cases.filter(([name]) => !/none|nothing|before any|after every/.test(name)).map(([, filter]) => model.filter((entry) => matches(entry, filter)).length);
    for (const count of picked) {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(model.length);
    }
    expect(picked.filter((count) => count < model.length).length).toBeGreaterThan(picked.length - 2);
  });

  it('a blank q is no search', async () => {
    expect((await walk({ q: '   ' }, 100)).map(shape)).toEqual(model.map(modelShape));
  });

  it.each([
    ['from after to', 'from=2026-10-05&to=2026-10-04', 'to'],
    ['minAmount above maxAmount', 'minAmount=500&maxAmount=499', 'maxAmount'],
    ['an unknown kind', 'kind=refund', 'kind'],
    ['a day that does not exist', 'from=2026-02-30', 'from'],
    ['a date in another format', 'to=2026-1-5', 'to'],
    ['a negative amount', 'minAmount=-1', 'minAmount'],
    ['a fractional amount', 'maxAmount=10.5', 'maxAmount'],
    ['a blank amount', 'minAmount=', 'minAmount'],
    ['q too long', `q=${'x'.repeat(101)}`, 'q'],
    ['q too short to search by (two characters)', 'q=ok', 'q'],
    ['an unknown parameter', 'text=rent', ''],
  ])('%s → 400 VALIDATION_FAILED', async (_name, query, path) => {
    const response = await t.http().get(`/api/v1/accounts/${owner.accountId}/transactions?${query}`).set(bearer(owner.accessToken)).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    if (path) expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('the OpenAPI document lists the search parameters, described', async () => {
    const docs = (await t.http().get('/api/docs-json').expect(200)).body;
    const operation = docs.paths['/api/v1/accounts/{id}/transactions'].get;
    const names = (operation.parameters as Array<{ name: string; in: string }>).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(names).toEqual(expect.arrayContaining(['limit', 'cursor', 'from', 'to', 'kind', 'minAmount', 'maxAmount', 'q']));
    expect(operation.description).toContain('absolute amount');
  });

  it("another customer's account stays 404 with filters", async () => {
    const stranger = await t.newCustomer();
    await t.http().get(`/api/v1/accounts/${owner.accountId}/transactions?q=rent&kind=transfer`).set(bearer(stranger.accessToken)).expect(404);
  });

  it('finds sparse matches older than the newest 500 entries (past the bounded walk, through the indexes), every one once', async () => {
    const hay = await t.newCustomer({ fullName: 'Hay Stack' });
    const needle = await t.newCustomer({ fullName: 'Nadia Needleman' });
    const postings: BackdatedPosting[] = [
      { kind: 'deposit', debitAccountId: null, creditAccountId: needle.accountId, amount: 100_000, description: 'Opening', initiatedBy: needle.user.id, at: new Date('2026-08-01T00:00:00.000Z') },
    ];
    for (let i = 0; i < 4; i++) {
      postings.push({ kind: 'transfer', debitAccountId: needle.accountId, creditAccountId: hay.accountId, amount: 4_321, description: `Old invoice ${i}`, initiatedBy: needle.user.id, at: new Date(Date.UTC(2026, 7, 2 + i)) });
    }
    for (let i = 0; i < 1_050; i++) {
      postings.push({ kind: 'deposit', debitAccountId: null, creditAccountId: hay.accountId, amount: 100 + (i % 50), description: 'Hay', initiatedBy: hay.user.id, at: new Date(Date.UTC(2026, 8, 1) + i * 60_000) });
    }
    await RequestContext.create(t.orm().em, () => t.app.get(BackdatedPostingsService).postOnce(`history-search-${hay.accountId}`, postings));
    const page = (query: Record<string, string | number>) =>
      t
        .http()
        .get(`/api/v1/accounts/${hay.accountId}/transactions`)
        .query({ limit: 3, ...query })
        .set(bearer(hay.accessToken))
        .expect(200);
    const queries: Array<Record<string, string | number>> = [{ q: 'invoice' }, { q: 'needleman' }, { minAmount: 4_321, maxAmount: 4_321 }, { kind: 'transfer' }, { minAmount: 4_000 }, { q: 'invoice', minAmount: 4_000 }];
    for (const query of queries) {
      const first = (await page(query)).body as Page<EntryView>;
      expect(first.items.map((entry) => entry.description)).toEqual(['Old invoice 3', 'Old invoice 2', 'Old invoice 1']);
      const second = (await page({ ...query, cursor: first.nextCursor! })).body as Page<EntryView>;
      expect(second.items.map((entry) => entry.description)).toEqual(['Old invoice 0']);
      expect(second.nextCursor).toBeNull();
    }
    // One deposit in 50 is of 1.00: 10 in the first walk of 500, the rest found by a second walk sized by that density.
    const ones: EntryView[] = [];
    let cursor: string | null = null;
    do {
      const body: Page<EntryView> = (await page({ minAmount: 100, maxAmount: 100, limit: 20, ...(cursor ? { cursor } : {}) })).body;
      ones.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(ones).toHaveLength(21);
    expect(new Set(ones.map((entry) => entry.id)).size).toBe(21);
    expect(ones.every((entry) => entry.amount === 100)).toBe(true);
    expect(ones.map((entry) => entry.createdAt)).toEqual([...ones.map((entry) => entry.createdAt)].sort().reverse());
    expect((await page({ q: 'nothing like it' })).body).toEqual({ items: [], nextCursor: null });
    expect((await page({ kind: 'withdrawal' })).body).toEqual({ items: [], nextCursor: null });
  });
});
