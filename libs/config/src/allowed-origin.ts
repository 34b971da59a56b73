/**
 * Whether a browser's `Origin` may act on the api: no Origin (not a browser, or a same-origin
 * GET), the api's own origin (the Origin's host is the request's Host), or one on the CORS
 * allowlist (`CORS_ORIGINS`). An opaque `null` Origin or anything unparsable is foreign.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowlist: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowlist.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
