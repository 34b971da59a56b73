import type { Request } from 'express';

/** The token of `Authorization: Bearer <token>`, if the request has one. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header)?.[1] : undefined;
}
