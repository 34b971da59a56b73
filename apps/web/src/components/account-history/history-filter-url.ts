import { HISTORY_FILTER_KEYS, HistoryQuerySchema, type HistoryFilter } from '@bank/contracts/history';

/**
 * The history's filters live in the query part of the hash route (`#/?account=…&from=…&q=…`), so a
 * reload, a bookmark and back/forward bring them back. Amounts there are minor units, as the api takes them.
 */

/** The query part of a hash route: `#/?a=1` → `a=1`. */
export function hashQuery(hash: string): URLSearchParams {
  const start = hash.indexOf('?');
  return new URLSearchParams(start < 0 ? '' : hash.slice(start + 1));
}

/** `hash` with `params` set (a null or empty value removes the key); the route part and other keys stay. */
export function hashWith(hash: string, params: Record<string, string | number | null | undefined>): string {
  const route = hash.split('?')[0];
  const path = route === '' || route === '#' ? '#/' : route;
  const query = hashQuery(hash);
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') query.delete(key);
    else query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The filters a hash holds. A value the api would refuse (a hand-edited URL) is dropped rather
 * than shown as an error page; so is the upper end of a range that ends before it starts.
 */
export function filterFromHash(hash: string): HistoryFilter {
  const query = hashQuery(hash);
  const filter: HistoryFilter = {};
  for (const key of HISTORY_FILTER_KEYS) {
    const value = query.get(key);
    if (value === null || value.trim() === '') continue;
    const parsed = HistoryQuerySchema.safeParse({ [key]: value });
    if (!parsed.success) continue;
    const accepted = parsed.data[key];
    if (accepted !== undefined) Object.assign(filter, { [key]: accepted });
  }
  if (filter.from && filter.to && filter.from > filter.to) delete filter.to;
  if (filter.minAmount !== undefined && filter.maxAmount !== undefined && filter.minAmount > filter.maxAmount) delete filter.maxAmount;
  return filter;
}

/** `hash` carrying exactly these filters (the others removed). */
export function hashWithFilter(hash: string, filter: HistoryFilter): string {
  return hashWith(hash, Object.fromEntries(HISTORY_FILTER_KEYS.map((key) => [key, filter[key]])));
}

export function sameFilter(a: HistoryFilter, b: HistoryFilter): boolean {
  return HISTORY_FILTER_KEYS.every((key) => (a[key] ?? '') === (b[key] ?? ''));
}
