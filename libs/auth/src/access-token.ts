import type { Role } from '@bank/contracts/users';

export const JWT_ISSUER = 'bankingcore';
export const JWT_ALGORITHM = 'HS256';

/** Claims of an access JWT; `typ` keeps any other token type from passing as an access token. */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  typ: 'access';
  exp?: number;
  iat?: number;
}

/** Who is calling, as the auth guard puts it on the request. */
export interface AuthenticatedUser {
  id: string;
  role: Role;
}

/** A verified access token: who, when it was issued, and until when it may be used (live sockets are cut then). */
export interface VerifiedAccessToken extends AuthenticatedUser {
  issuedAtS: number;
  expiresAtMs: number;
}
