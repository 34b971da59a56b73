import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LOCKOUT_THRESHOLD } from '@bank/contracts/security';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import { SecurityTrail } from './security-trail';

/** One failed proof of who a user is: a wrong password, or a wrong second factor. */
export interface SignInFailure {
  type: 'login.failed' | 'mfa.failed';
  /** For admins, e.g. `wrong password`; never the secret tried. */
  reason: string;
  ip: string | null;
}

/**
 * The brute-force lockout, shared by every proof of who a user is: a wrong password (at sign-in or
 * as the current password of a password change) and a wrong TOTP or recovery code count alike, so
 * guessing codes after a stolen password locks the user like guessing passwords. Each failure is a
 * security event; the LOCKOUT_THRESHOLD-th in a row locks the user out of new password sign-ins (a
 * lockout, not an admin's lock: their open sessions go on).
 */
@Injectable()
export class FailedSignIns {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly security: SecurityTrail,
  ) {}

  /** Counts the failure (its own transaction, or the caller's); true when the user is locked now, by it or before. */
  count(user: User, failure: SignInFailure): Promise<boolean> {
    return this.em.transactional(async () => {
      const outcome = await this.users.countFailedLogin(user.id, LOCKOUT_THRESHOLD);
      await this.security.record(failure.type, {
        userId: user.id,
        ip: failure.ip,
        detail: { email: user.email, reason: outcome.alreadyLocked ? `${failure.reason} for a locked user` : failure.reason, failedLogins: outcome.failedLogins },
      });
      if (outcome.lockedNow) {
        await this.security.record('account.locked', { userId: user.id, ip: failure.ip, detail: { email: user.email, reason: `${LOCKOUT_THRESHOLD} failed logins in a row` } });
        await this.security.announceUser('user.locked', { ...toUserView(user), status: 'locked' });
      }
      return outcome.lockedNow || outcome.alreadyLocked;
    });
  }
}
