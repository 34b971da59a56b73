import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { UserView } from '@bank/contracts/users';
import { UsersService } from '@bank/users/users.service';
import { NotFound } from '@bank/problems/domain-error';
import { SecurityEventsService } from './security-events.service';
import { RevocationAnnouncer } from './revocation-announcer';

/**
 * The operator's break-glass unlock (`npm run cli -- unlock-user`, which checked ADMIN_KEY): the
 * same unlock, `user.unlocked` and `tokens.revoked` announcements as an admin's (every api process
 * learns of it from the stream), audited as `operator.unlocked`. Needs PostgreSQL only.
 */
@Injectable()
export class OperatorUnlockService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly security: SecurityEventsService,
    private readonly announcer: RevocationAnnouncer,
  ) {}

  /** Null for an unknown email; `wasLocked` false when there was nothing to unlock (still audited). */
  async unlock(email: string, operator: string): Promise<{ user: UserView; wasLocked: boolean } | null> {
    return this.em.transactional(async () => {
      const found = await this.users.findByEmail(email);
      if (!found) return null;
      const unlocked = await this.users.unlock(found.id);
      await this.security.record('operator.unlocked', { userId: found.id, ip: null, detail: { by: 'operator', operator, wasLocked: unlocked !== null } });
      if (unlocked) {
        await this.security.announceUser('user.unlocked', unlocked);
        await this.announcer.announce(found.id, false);
      }
      const user = unlocked ?? (await this.users.view(found.id));
      if (!user) throw new NotFound('The user');
      return { user, wasLocked: unlocked !== null };
    });
  }
}
