import type { IncomingMessage } from 'node:http';

/**
 * The Socket.IO handshake's Origin check (browsers do not apply CORS to WebSockets): no Origin
 * (a non-browser client) or the api's own origin is allowed, and so is any origin on the CORS
 * allowlist. Everything else is refused before a socket exists.
 */
export function isAllowedSocketOrigin(request: IncomingMessage, allowlist: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowlist.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
