import type { IncomingMessage } from 'node:http';
import { isAllowedOrigin } from '@bank/config/allowed-origin';

/**
 * The Socket.IO handshake's Origin check (browsers do not apply CORS to WebSockets): no Origin
 * (a non-browser client) or the api's own origin is allowed, and so is any origin on the CORS
 * allowlist. Everything else is refused before a socket exists.
 */
export function isAllowedSocketOrigin(request: IncomingMessage, allowlist: readonly string[]): boolean {
  return isAllowedOrigin(request.headers.origin, request.headers.host, allowlist);
}
