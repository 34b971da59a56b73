import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ADMIN_KEY_FAILURES_MAX, ADMIN_KEY_WINDOW_S } from '@bank/contracts/security';
import type { AdminKeyAttempt, AdminKeyCheck } from '@bank/auth/admin-key-check';
import { AdminKeyInvalid, RateLimited, type DomainError } from '@bank/problems/domain-error';
import { SecurityEventsService, type AdminKeyScope } from './security-events.service';
import { AdminKeyVerifier } from './admin-key.verifier';

export type AdminKeyOutcome = { kind: 'passed' } | { kind: 'wrong-key' } | { kind: 'suspended'; retryAfterS: number; scope: AdminKeyScope['kind'] };

const SUSPENDED_FOR: Record<AdminKeyScope['kind'], string> = {
  admin: 'this admin',
  'target-user': 'this user',
  'target-email': 'this email',
  address: 'this address',
};

/** What a key that did not pass answers: 403 for a wrong key, 429 while a scope is suspended. */
export function adminKeyRefusal(outcome: Exclude<AdminKeyOutcome, { kind: 'passed' }>): DomainError {
  if (outcome.kind === 'wrong-key') return new AdminKeyInvalid();
  return new RateLimited(outcome.retryAfterS, `Too many wrong admin keys: actions needing the admin key are suspended for ${SUSPENDED_FOR[outcome.scope]}.`);
}

/**
 * Every `X-Admin-Key` check (unlocking a user, creating an admin). Wrong keys are security events,
 * counted per admin, per target and per client address: the ADMIN_KEY_FAILURES_MAX-th within the
 * window in any of them suspends every key check in that scope, the right key included, until the
 * oldest of them leaves the window. So neither minted admins, nor spreading guesses over admins or
 * targets, buys more guesses.
 */
@Injectable()
export class AdminKeyAttempts implements AdminKeyCheck {
  constructor(
    private readonly em: EntityManager,
    private readonly security: SecurityEventsService,
    private readonly adminKey: AdminKeyVerifier,
  ) {}

  /** In the caller's transaction, which should also hold what the key allows (so a suspension cannot be raced). */
  async check(attempt: AdminKeyAttempt): Promise<AdminKeyOutcome> {
    const keyMatches = this.adminKey.matches(attempt.presentedKey);
    const target: AdminKeyScope = 'userId' in attempt.target ? { kind: 'target-user', userId: attempt.target.userId } : { kind: 'target-email', email: attempt.target.email.toLowerCase() };
    const scopes: AdminKeyScope[] = [{ kind: 'admin', adminId: attempt.adminId }, target, ...(attempt.ip ? [{ kind: 'address', ip: attempt.ip } as const] : [])];
    const counts = await this.security.adminKeyFailures(scopes, ADMIN_KEY_WINDOW_S, ADMIN_KEY_FAILURES_MAX);
    const saturated = counts.filter((count) => count.failures >= ADMIN_KEY_FAILURES_MAX);
    if (saturated.length > 0) {
      const longest = saturated.reduce((a, b) => ((a.retryAfterS ?? 0) >= (b.retryAfterS ?? 0) ? a : b));
      return { kind: 'suspended', retryAfterS: Math.max(1, longest.retryAfterS ?? ADMIN_KEY_WINDOW_S), scope: longest.scope.kind };
    }
    if (keyMatches) return { kind: 'passed' };
    const targetDetail = target.kind === 'target-user' ? { targetUserId: target.userId } : { targetEmail: target.email };
    await this.security.record('admin_key.failed', { userId: attempt.adminId, ip: attempt.ip, detail: { ...targetDetail, failuresInWindow: counts[0].failures + 1 } });
    return { kind: 'wrong-key' };
  }

  async verify(attempt: AdminKeyAttempt): Promise<void> {
    const outcome = await this.em.transactional(() => this.check(attempt));
    if (outcome.kind !== 'passed') throw adminKeyRefusal(outcome);
  }
}
