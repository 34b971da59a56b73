import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MFA_CHALLENGE_TTL_S, type MfaChallengeResponse } from '@bank/contracts/mfa';
import { Clock } from './clock';
import { MfaChallengesRepository } from './mfa-challenges.repository';

export function mfaTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The second step of a sign-in with TOTP on: the password's proof is an opaque mfaToken (stored
 * as its digest, like refresh tokens), redeemed once at `POST /auth/mfa/verify` within
 * MFA_CHALLENGE_TTL_S. Stored in PostgreSQL, so any api process can redeem it.
 */
@Injectable()
export class MfaChallenges {
  constructor(
    private readonly challenges: MfaChallengesRepository,
    private readonly clock: Clock,
  ) {}

  async issue(userId: string): Promise<MfaChallengeResponse> {
    const mfaToken = randomBytes(32).toString('base64url');
    const nowMs = this.clock.nowMs();
    await this.challenges.add(mfaTokenHash(mfaToken), userId, nowMs, nowMs + MFA_CHALLENGE_TTL_S * 1000);
    return { mfaRequired: true, mfaToken, expiresIn: MFA_CHALLENGE_TTL_S };
  }
}
