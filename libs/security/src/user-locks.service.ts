import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { UserView } from '@bank/contracts/users';
import { ADMIN_KEY_FAILURES_MAX, ADMIN_KEY_WINDOW_S } from '@bank/contracts/security';
import { UsersService } from '@bank/users/users.service';
import { AdminKeyInvalid, Conflict, NotFound, RateLimited } from '@bank/problems/domain-error';
import { SecurityEventsService } from './security-events.service';
import { AdminKeyVerifier } from './admin-key.verifier';

/** What admins do to users: lock with a reason, unlock with the admin key. Each action is in the security trail. */
@Injectable()
export class UserLocksService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly security: SecurityEventsService,
    private readonly adminKey: AdminKeyVerifier,
  ) {}

  async lock(admin: AuthenticatedUser, userId: string, reason: string, ip: string | null): Promise<UserView> {
    if (userId === admin.id) throw new Conflict('An admin cannot lock themselves out.');
    return this.em.transactional(async () => {
      const locked = await this.users.lock(userId, reason);
      if (!locked) return this.existing(userId);
      await this.security.record('account.locked', { userId, ip, detail: { by: admin.id, reason } });
      await this.security.announceUser('user.locked', locked);
      return locked;
    });
  }

  /**
   * Needs the admin JWT (the route) and the `X-Admin-Key`. Wrong keys are security events; the
   * ADMIN_KEY_FAILURES_MAX-th within the window suspends this admin's unlocking until the oldest
   * of them leaves the window. Counted under a per-admin advisory lock, so parallel guesses too.
   */
  async unlock(admin: AuthenticatedUser, userId: string, presentedKey: string | undefined, ip: string | null): Promise<UserView> {
    const keyMatches = this.adminKey.matches(presentedKey);
    const outcome = await this.em.transactional(async () => {
      const { failures, retryAfterS } = await this.security.adminKeyFailures(admin.id, ADMIN_KEY_WINDOW_S, ADMIN_KEY_FAILURES_MAX);
      if (failures >= ADMIN_KEY_FAILURES_MAX) return { kind: 'suspended', retryAfterS: Math.max(1, retryAfterS ?? ADMIN_KEY_WINDOW_S) } as const;
      if (!keyMatches) {
        await this.security.record('admin_key.failed', { userId: admin.id, ip, detail: { targetUserId: userId, failuresInWindow: failures + 1 } });
        return { kind: 'wrong-key' } as const;
      }
      const unlocked = await this.users.unlock(userId);
      if (!unlocked) return { kind: 'done', user: await this.existing(userId) } as const;
      await this.security.record('account.unlocked', { userId, ip, detail: { by: admin.id } });
      await this.security.announceUser('user.unlocked', unlocked);
      return { kind: 'done', user: unlocked } as const;
    });
    if (outcome.kind === 'suspended') throw new RateLimited(outcome.retryAfterS, 'Too many wrong admin keys: unlocking is suspended for this admin.');
    if (outcome.kind === 'wrong-key') throw new AdminKeyInvalid();
    return outcome.user;
  }

  private async existing(userId: string): Promise<UserView> {
    const user = await this.users.view(userId);
    if (!user) throw new NotFound('The user');
    return user;
  }
}
