import type { Role } from '@bank/contracts/users';

export const JWT_ISSUER = 'bankingcore';
export const JWT_ALGORITHM = 'HS256';

/**
 * Claims of an access JWT; `typ` keeps any other token type from passing as an access token.
 * `sid` is the session (refresh-token family) it was issued in; `iat_ms` the issue time in
 * milliseconds, because revocation times are compared to the millisecond (`iat` is whole seconds:
 * a token issued in the second of a lock, but after it, would otherwise be refused too).
 */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  typ: 'access';
  sid: string;
  iat_ms: number;
  exp?: number;
  iat?: number;
}

/** Who is calling, as the auth guard puts it on the request. */
export interface AuthenticatedUser {
  id: string;
  role: Role;
  /** The session the access token belongs to. */
  sessionId: string;
}

/** A verified access token: who, in which session, when it was issued, and until when it may be used (live sockets are cut then). */
export interface VerifiedAccessToken extends AuthenticatedUser {
  issuedAtMs: number;
  expiresAtMs: number;
}
