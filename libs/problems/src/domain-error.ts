import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';

/**
 * A failure a client can cause, with its stable code and HTTP status. Services throw these;
 * the problem-details filter turns them into RFC 9457 documents.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors?: FieldError[],
    /** Response headers that belong to this answer (e.g. `Idempotent-Replayed`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super('VALIDATION_FAILED', 400, detail, {}, errors);
  }
}

export class NotFound extends DomainError {
  constructor(what = 'The resource') {
    super('NOT_FOUND', 404, `${what} was not found.`);
  }
}

export class Conflict extends DomainError {
  constructor(detail: string) {
    super('CONFLICT', 409, detail);
  }
}

export class Forbidden extends DomainError {
  constructor(detail = 'You are not allowed to do this.') {
    super('FORBIDDEN', 403, detail);
  }
}

export class TokenInvalid extends DomainError {
  constructor(detail = 'The token is missing, invalid or expired.') {
    super('TOKEN_INVALID', 401, detail);
  }
}

export class TokenReused extends DomainError {
  constructor() {
    super('TOKEN_REUSED', 401, 'This refresh token was already used; its whole family is now revoked. Sign in again.');
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'The email or password is wrong.');
  }
}

export class AccountLocked extends DomainError {
  constructor() {
    super('ACCOUNT_LOCKED', 423, 'This user is locked. An administrator must unlock it.');
  }
}

export class AdminKeyInvalid extends DomainError {
  constructor() {
    super('ADMIN_KEY_INVALID', 403, 'The X-Admin-Key header is missing or wrong.');
  }
}

export class RateLimited extends DomainError {
  constructor(retryAfterS: number, detail = 'Too many attempts: try again later.') {
    super('RATE_LIMITED', 429, detail, { retryAfter: retryAfterS }, undefined, { 'Retry-After': String(retryAfterS) });
  }
}

export class FeatureUnavailable extends DomainError {
  constructor(detail: string) {
    super('FEATURE_UNAVAILABLE', 422, detail);
  }
}

/** A dependency down or a deadline passed: try again shortly (the request changed nothing, or its key replays the outcome). */
export class ServiceUnavailable extends DomainError {
  constructor(detail: string, retryAfterS = 2) {
    super('SERVICE_UNAVAILABLE', 503, detail, { retryAfter: retryAfterS }, undefined, { 'Retry-After': String(retryAfterS) });
  }
}

/** A second factor (TOTP code, recovery code or the sign-in's mfaToken) that is wrong, spent or expired. */
export class MfaInvalid extends DomainError {
  constructor(detail = 'The code is wrong or was already used, or the sign-in step expired.') {
    super('MFA_INVALID', 401, detail);
  }
}

/** Staff must turn two-factor sign-in on before anything but enrolment (`MFA_REQUIRED_FOR_STAFF`). */
export class MfaRequired extends DomainError {
  constructor(detail = 'Turn on two-factor sign-in first (POST /auth/mfa/totp/setup, then /confirm).') {
    super('MFA_REQUIRED', 401, detail);
  }
}

/** The caller's own current password, asked again for a sensitive change (a password change, turning two-factor off), is wrong; counted like a failed sign-in. */
export class PasswordInvalid extends DomainError {
  constructor(detail = 'The password is wrong.') {
    super('PASSWORD_INVALID', 422, detail);
  }
}
