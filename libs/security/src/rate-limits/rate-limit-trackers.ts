import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RateLimitName } from '@bank/contracts/security';
import type { RequestWithUser } from '@bank/auth/current-user.decorator';
import { rateLimitAddress } from './client-address';

type Tracked = 'ip' | 'email' | 'user';

/** What each limit counts per: the part of its name after the dash. */
const TRACKED_BY: Record<RateLimitName, Tracked> = {
  'login-ip': 'ip',
  'login-email': 'email',
  'register-ip': 'ip',
  'register-email': 'email',
  'refresh-ip': 'ip',
  'money-user': 'user',
  'admin-user': 'user',
  'lookup-user': 'user',
};

/** The email a login or registration names, as the account lookup normalises it; null if it names none. */
export function emailOf(request: FastifyRequest): string | null {
  const email: unknown = (request.body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' && email.trim().length > 0 ? email.trim().toLowerCase() : null;
}

/**
 * Who a request is counted against under a limit, or null when it cannot be told (a login body
 * without an email: validation refuses it anyway). Runs after the auth guard, so `user` is set on
 * the routes that need it.
 */
export function trackerOf(name: RateLimitName, request: FastifyRequest & RequestWithUser): string | null {
  switch (TRACKED_BY[name]) {
    case 'ip':
      return rateLimitAddress(request.ip);
    case 'email':
      return emailOf(request);
    case 'user':
      if (!request.user) throw new Error(`rate limit ${name} on a route without authentication`);
      return request.user.id;
  }
}

/** Redis key part for a tracker: fixed length, and no email address stored in Redis. */
export function trackerDigest(tracker: string): string {
  return createHash('sha256').update(tracker).digest('base64url').slice(0, 32);
}
