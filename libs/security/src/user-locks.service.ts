import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { UserView } from '@bank/contracts/users';
import { UsersService } from '@bank/users/users.service';
import { Conflict, NotFound } from '@bank/problems/domain-error';
import { SecurityEventsService } from './security-events.service';
import { AdminKeyAttempts, adminKeyRefusal } from './admin-key-attempts';

/** What admins do to users: lock with a reason, unlock with the admin key. Each action is in the security trail. */
@Injectable()
export class UserLocksService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly security: SecurityEventsService,
    private readonly adminKeys: AdminKeyAttempts,
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
   * Needs the admin JWT (the route) and the `X-Admin-Key`, checked with its wrong-key throttle
   * (AdminKeyAttempts) in the transaction of the unlock.
   */
  async unlock(admin: AuthenticatedUser, userId: string, presentedKey: string | undefined, ip: string | null): Promise<UserView> {
    const outcome = await this.em.transactional(async () => {
      const key = await this.adminKeys.check({ adminId: admin.id, ip, target: { userId }, presentedKey });
      if (key.kind !== 'passed') return key;
      const unlocked = await this.users.unlock(userId);
      if (!unlocked) return { kind: 'done', user: await this.existing(userId) } as const;
      await this.security.record('account.unlocked', { userId, ip, detail: { by: admin.id } });
      await this.security.announceUser('user.unlocked', unlocked);
      return { kind: 'done', user: unlocked } as const;
    });
    if (outcome.kind !== 'done') throw adminKeyRefusal(outcome);
    return outcome.user;
  }

  /**
   * The operator's break-glass unlock (`npm run cli -- unlock-user`, which checked ADMIN_KEY): the
   * same unlock and `user.unlocked` announcement as an admin's, audited as `operator.unlocked`.
   * Null for an unknown email; `wasLocked` false when there was nothing to unlock (still audited).
   */
  async operatorUnlock(email: string, operator: string): Promise<{ user: UserView; wasLocked: boolean } | null> {
    return this.em.transactional(async () => {
      const found = await this.users.findByEmail(email);
      if (!found) return null;
      const unlocked = await this.users.unlock(found.id);
      await this.security.record('operator.unlocked', { userId: found.id, ip: null, detail: { by: 'operator', operator, wasLocked: unlocked !== null } });
      if (unlocked) await this.security.announceUser('user.unlocked', unlocked);
      return { user: unlocked ?? (await this.existing(found.id)), wasLocked: unlocked !== null };
    });
  }

  private async existing(userId: string): Promise<UserView> {
    const user = await this.users.view(userId);
    if (!user) throw new NotFound('The user');
    return user;
  }
}
