import { filterFromHash, hashQuery, hashWith, hashWithFilter, sameFilter } from './history-filter-url';

describe('the history filters in the hash route', () => {
  it('reads the filters from the query part of the hash, leaving the route and other keys alone', () => {
    expect(filterFromHash('#/?account=abc&from=2026-10-01&to=2026-10-31&kind=transfer&minAmount=1000&maxAmount=25000&q=%20rent%20')).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
      kind: 'transfer',
      minAmount: 1000,
      maxAmount: 25000,
      q: 'rent',
    });
    expect(filterFromHash('')).toEqual({});
    expect(filterFromHash('#/payees')).toEqual({});
  });

  it('drops what the api would refuse instead of failing the page', () => {
    expect(filterFromHash('#/?from=2026-02-30&kind=refund&minAmount=-5&maxAmount=1.5&q=')).toEqual({});
    expect(filterFromHash('#/?from=2026-10-05&to=2026-10-01')).toEqual({ from: '2026-10-05' });
    expect(filterFromHash('#/?minAmount=500&maxAmount=100')).toEqual({ minAmount: 500 });
  });

  it('writes the filters back, keeping the route and the selected account, removing the unset ones', () => {
    const hash = hashWithFilter('#/?account=abc&q=old&kind=deposit', { q: 'new text', minAmount: 0 });
    expect(hash.startsWith('#/?')).toBe(true);
    expect(Object.fromEntries(hashQuery(hash))).toEqual({ account: 'abc', q: 'new text', minAmount: '0' });
    expect(filterFromHash(hash)).toEqual({ q: 'new text', minAmount: 0 });
    expect(hashWithFilter('#/?kind=deposit', {})).toBe('#/');
    expect(hashWith('', { account: 'x' })).toBe('#/?account=x');
    expect(hashWith('#', { account: null })).toBe('#/');
  });

  it('compares filters by value', () => {
    expect(sameFilter({ q: 'a', minAmount: 0 }, { minAmount: 0, q: 'a' })).toBe(true);
    expect(sameFilter({ q: 'a' }, { q: 'a', kind: 'deposit' })).toBe(false);
    expect(sameFilter({}, { q: undefined })).toBe(true);
  });
});
