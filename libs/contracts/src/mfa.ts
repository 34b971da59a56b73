import { z } from 'zod';
import type { TokenResponse } from './auth';

/** API.md "Sessions, password, two-factor sign-in": TOTP per RFC 6238 — 30 s steps, 6 digits, ±1 step accepted. */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW_STEPS = 1;

/** How long the `mfaToken` of a password sign-in may be redeemed at `POST /auth/mfa/verify`. */
export const MFA_CHALLENGE_TTL_S = 300;

/** Recovery codes shown once at enrolment, each usable once. */
export const RECOVERY_CODE_COUNT = 10;

/** What an authenticator app shows: six digits (spaces an app may show between groups are allowed). */
export const TotpCodeSchema = z
  .string()
  .max(16, { error: 'must be the 6-digit code of your authenticator app' })
  .transform((code) => code.replace(/\s/g, ''))
  .refine((code) => /^\d{6}$/.test(code), { error: 'must be the 6-digit code of your authenticator app' });

/**
 * A recovery code: 16 Base32 characters (80 random bits), shown as `ABCD-EFGH-JKLM-NPQR`; dashes,
 * spaces and letter case do not matter when it is typed back.
 */
export const RecoveryCodeSchema = z
  .string()
  .max(64, { error: 'must be one of your recovery codes' })
  .transform((code) => code.replace(/[\s-]/g, '').toUpperCase())
  .refine((code) => /^[A-Z2-7]{16}$/.test(code), { error: 'must be one of your recovery codes' });

/** `DELETE /auth/mfa/totp`'s `code`: the authenticator's code or a recovery code. */
export const TotpOrRecoveryCodeSchema = z
  .string()
  .max(64, { error: 'must be a 6-digit code or a recovery code' })
  .transform((code) => code.replace(/[\s-]/g, '').toUpperCase())
  .refine((code) => /^\d{6}$/.test(code) || /^[A-Z2-7]{16}$/.test(code), { error: 'must be a 6-digit code or a recovery code' });

export const TotpConfirmRequestSchema = z.strictObject({ code: TotpCodeSchema });
export type TotpConfirmRequest = z.infer<typeof TotpConfirmRequestSchema>;

export const TotpDisableRequestSchema = z.strictObject({
  // Compared only, like a login's password (the policy is not revealed).
  password: z.string().min(1).max(1024),
  code: TotpOrRecoveryCodeSchema,
});
export type TotpDisableRequest = z.infer<typeof TotpDisableRequestSchema>;

/** `{mfaToken, code}` or `{mfaToken, recoveryCode}`: exactly one of the two. */
export const MfaVerifyRequestSchema = z
  .strictObject({
    mfaToken: z.string().min(1).max(512),
    code: TotpCodeSchema.optional(),
    recoveryCode: RecoveryCodeSchema.optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), { error: 'give either code or recoveryCode', path: ['code'] });
export type MfaVerifyRequest = z.infer<typeof MfaVerifyRequestSchema>;

/** `POST /auth/mfa/totp/setup`: a new secret, not active until confirmed with a first code. */
export interface TotpSetupResponse {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  /** The `otpauth://totp/…` URI the QR code holds. */
  otpauthUrl: string;
  /** The QR code of `otpauthUrl`, an SVG document. */
  qrSvg: string;
}

/** `POST /auth/mfa/totp/confirm`: shown once, never again. */
export interface TotpConfirmResponse {
  recoveryCodes: string[];
}

/** `POST /auth/login` of a user with TOTP on: no tokens yet; the second step is `POST /auth/mfa/verify`. */
export interface MfaChallengeResponse {
  mfaRequired: true;
  mfaToken: string;
  /** Seconds the mfaToken stays usable. */
  expiresIn: number;
}

/** What `POST /auth/login` answers: tokens, or the challenge of the second step. */
export type LoginResponse = TokenResponse | MfaChallengeResponse;

export function isMfaChallenge(answer: LoginResponse): answer is MfaChallengeResponse {
  return 'mfaRequired' in answer && answer.mfaRequired === true;
}

/** `GET /auth/mfa` (extension): the caller's two-factor state. */
export interface MfaStatus {
  totpEnabled: boolean;
  /** Staff without TOTP while `MFA_REQUIRED_FOR_STAFF` is on: only enrolment is open to them. */
  enrolmentRequired: boolean;
}
