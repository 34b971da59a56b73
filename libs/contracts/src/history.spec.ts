import { entryMatchesHistoryFilter, hasHistoryFilter, HistoryQuerySchema } from './history';

describe('the history search query and its filter (shared by the api and the browser)', () => {
  const entry = { kind: 'transfer' as const, amount: -4_200, createdAt: '2026-10-03T23:59:59.999Z', description: 'Rent 50% split', counterparty: { name: 'Zelda Quartermain' } };

  it('parses query strings: days, a kind, amounts as digits, a trimmed text; blank text is no search', () => {
    expect(HistoryQuerySchema.parse({ from: '2026-10-01', to: '2026-10-01', kind: 'deposit', minAmount: '0', maxAmount: '125050', q: '  rent ' })).toEqual({
      limit: 20,
      from: '2026-10-01',
      to: '2026-10-01',
      kind: 'deposit',
      minAmount: 0,
      maxAmount: 125050,
      q: 'rent',
    });
    expect(HistoryQuerySchema.parse({ q: '   ' })).toEqual({ limit: 20 });
  });

  it.each([
    [{ from: '2026-02-29' }, 'from'],
    [{ to: '2026-13-01' }, 'to'],
    [{ from: '2026-10-02', to: '2026-10-01' }, 'to'],
    [{ minAmount: '1e3' }, 'minAmount'],
    [{ maxAmount: ' 5' }, 'maxAmount'],
    [{ minAmount: '10', maxAmount: '9' }, 'maxAmount'],
    [{ kind: 'fee' }, 'kind'],
    [{ q: 'x'.repeat(101) }, 'q'],
    [{ q: ' ab ' }, 'q'],
    [{ q: 'a\u0000b' }, 'q'],
    [{ page: '2' }, ''],
  ])('refuses %j', (query, path) => {
    const parsed = HistoryQuerySchema.safeParse(query);
    expect(parsed.success).toBe(false);
    if (path) expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('matches an entry as the api does: UTC days inclusive, absolute amounts, text in the description or the name, any case', () => {
    expect(entryMatchesHistoryFilter(entry, {})).toBe(true);
    expect(entryMatchesHistoryFilter(entry, { from: '2026-10-03', to: '2026-10-03' })).toBe(true);
    expect(entryMatchesHistoryFilter(entry, { from: '2026-10-04' })).toBe(false);
    expect(entryMatchesHistoryFilter(entry, { to: '2026-10-02' })).toBe(false);
    expect(entryMatchesHistoryFilter(entry, { kind: 'transfer', minAmount: 4_200, maxAmount: 4_200 })).toBe(true);
    expect(entryMatchesHistoryFilter(entry, { kind: 'deposit' })).toBe(false);
    expect(entryMatchesHistoryFilter(entry, { minAmount: 4_201 })).toBe(false);
    expect(entryMatchesHistoryFilter(entry, { maxAmount: 4_199 })).toBe(false);
    expect(entryMatchesHistoryFilter(entry, { q: '50%' })).toBe(true);
    expect(entryMatchesHistoryFilter(entry, { q: 'QUARTER' })).toBe(true);
    expect(entryMatchesHistoryFilter(entry, { q: 'groceries' })).toBe(false);
    expect(entryMatchesHistoryFilter({ ...entry, description: null, counterparty: null }, { q: 'rent' })).toBe(false);
  });

  it('knows when any filter is set', () => {
    expect(hasHistoryFilter({})).toBe(false);
    expect(hasHistoryFilter({ q: '' })).toBe(false);
    expect(hasHistoryFilter({ minAmount: 0 })).toBe(true);
  });
});
