import type { LiveSocket } from './live-socket';

export const SOCKET_MESSAGES_PER_WINDOW = 20;
export const SOCKET_WINDOW_MS = 1_000;

/** Cuts off a socket that sends more than the allowed messages per second; the server needs none. */
export function throttleInbound(socket: LiveSocket, limit = SOCKET_MESSAGES_PER_WINDOW, windowMs = SOCKET_WINDOW_MS): void {
  let windowStart = Date.now();
  let count = 0;
  socket.use((_packet, next) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      count = 0;
    }
    if (++count > limit) {
      socket.emit('error', { code: 'RATE_LIMITED', detail: 'Too many messages; this connection is closed.' });
      socket.disconnect(true);
      return;
    }
    next();
  });
}
