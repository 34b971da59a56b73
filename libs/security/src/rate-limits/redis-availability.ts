/**
 * Is this error Redis being unreachable or unable to serve right now (as opposed to a bug: a bad
 * reply, a wrong argument)? ioredis gives up on a command with `MaxRetriesPerRequestError` while
 * it reconnects, "Connection is closed." once the connection is gone, "Stream isn't writeable…"
 * without an offline queue, and the socket's own error codes; the server itself answers LOADING,
 * BUSY, MASTERDOWN, READONLY… while it cannot serve.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);
const UNAVAILABLE_REPLIES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'READONLY', 'CLUSTERDOWN', 'TRYAGAIN', 'OOM', 'MISCONF']);
const UNAVAILABLE_MESSAGES = [/^Connection is closed/, /^Stream isn't writeable/, /^Reached the max retries per request limit/, /^Redis did not answer within/];

export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
  }
}

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof RedisTimeoutError || error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (UNAVAILABLE_REPLIES.has(error.message.split(' ', 1)[0])) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * `promise`, or a RedisTimeoutError after `ms`: a caller that has somewhere else to go does not
 * wait for ioredis's own retries (seconds, late in an outage) or a stalled server. The command
 * itself is not cancelled; its late outcome is ignored.
 */
export function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
