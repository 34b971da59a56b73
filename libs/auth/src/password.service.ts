import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccountLocked, NotFound, PasswordInvalid } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import type { AuthenticatedUser } from './access-token';
import { SecurityTrail } from './security-trail';
import { SecurityNotices } from './security-notices';
import { SessionsService } from './sessions.service';
import { FailedSignIns } from './failed-sign-ins';

/**
 * A signed-in user changes their password: the current one is required, and a wrong one counts
 * toward the lockout like a failed sign-in (a stolen session cannot guess it for free). The new
 * one (rules checked at the edge: ≥ 12 characters, not the current one) is hashed with Argon2id;
 * every other session ends, the caller's goes on.
 */
@Injectable()
export class PasswordService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly failures: FailedSignIns,
    private readonly security: SecurityTrail,
    private readonly notices: SecurityNotices,
  ) {}

  async change(caller: AuthenticatedUser, currentPassword: string, newPassword: string, ip: string | null): Promise<void> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFound('The user');
    // Locked out by failed attempts: no more guesses of the current password until an admin unlocks.
    if (user.status === 'locked') throw new AccountLocked();
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      await this.failures.count(user, { type: 'login.failed', reason: 'wrong current password (password change)', ip });
      throw new PasswordInvalid();
    }
    const passwordHash = await this.hasher.hash(newPassword);
    const ended = await this.em.transactional(async () => {
      await this.users.setPasswordHash(user.id, passwordHash);
      await this.users.resetFailedLogins(user.id);
      const endedIds = await this.sessions.end(user.id, { exceptId: caller.sessionId }, 'password changed', ip);
      await this.security.record('password.changed', { userId: user.id, ip, detail: { email: user.email, sessionsEnded: endedIds.length } });
      await this.notices.notify(user.id, {
        kind: 'security.password_changed',
        title: 'Your password was changed',
        body:
          endedIds.length > 0
            ? `Your password was changed and ${endedIds.length === 1 ? 'your other session was' : `your ${endedIds.length} other sessions were`} signed out. If this was not you, contact the bank at once.`
            : 'Your password was changed. If this was not you, contact the bank at once.',
        link: null,
      });
      return endedIds;
    });
    this.sessions.applyHere(user.id, ended);
  }
}
