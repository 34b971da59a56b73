import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { RECOVERY_CODE_COUNT, TOTP_DIGITS, TOTP_PERIOD_S, TOTP_WINDOW_STEPS } from '@bank/contracts/mfa';

/** The issuer an authenticator app shows above the code. */
export const TOTP_ISSUER = 'BankingCore';

/** A new TOTP secret: 20 random bytes (RFC 4226's recommended 160 bits), Base32 as apps expect. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountName: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountName, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_S });
}

/**
 * The time step a 6-digit code belongs to, if it is right at `nowS` within ±1 step (RFC 6238
 * §5.2's allowance for clock drift) and later than `afterTimeStep` (the last one accepted: a code
 * is used once, and nothing older than it after); null otherwise.
 */
export async function totpTimeStep(secret: string, code: string, nowS: number, afterTimeStep: number | null): Promise<number | null> {
  const result = await verify({
    secret,
    token: code,
    epoch: nowS,
    period: TOTP_PERIOD_S,
    digits: TOTP_DIGITS,
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_S,
    ...(afterTimeStep === null ? {} : { afterTimeStep }),
  });
  // The functional API's result type also covers HOTP; a TOTP check always names its time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Ten recovery codes of 16 Base32 characters (80 random bits each), in their stored (normalised) form. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => Array.from(randomBytes(16), (byte) => BASE32[byte % 32]).join(''));
}

/** `ABCDEFGHJKLMNPQR` → `ABCD-EFGH-JKLM-NPQR`, as shown to the user. */
export function formatRecoveryCode(code: string): string {
  return code.match(/.{4}/g)!.join('-');
}

/**
 * How a recovery code is stored: SHA-256 of the user id and the normalised code. Unkeyed on
 * purpose: 80 random bits cannot be guessed offline (2^80 tries), so Argon2's slowness and a
 * server key add nothing but cost and a secret to rotate; the user id keeps equal codes of two
 * users apart and lets one indexed lookup find the code.
 */
export function recoveryCodeHash(userId: string, normalisedCode: string): string {
  return createHash('sha256').update(`${userId}:${normalisedCode}`).digest('hex');
}
