import { Injectable } from '@nestjs/common';
import { LOCKOUT_THRESHOLD } from '@bank/contracts/security';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import { SecurityTrail } from './security-trail';

/**
 * Wrong secrets of a known user — a password at sign-in, the current password of a password
 * change — counted toward the lockout: each is a `login.failed` security event (with the email,
 * never the secret); the LOCKOUT_THRESHOLD-th in a row locks the user out of new password
 * sign-ins (a lockout, not an admin's lock: their sessions go on).
 */
@Injectable()
export class FailedSignIns {
  constructor(
    private readonly users: UsersService,
    private readonly security: SecurityTrail,
  ) {}

  /** In the caller's transaction. Whether the user is locked now (by this failure or before it). */
  async count(user: User, ip: string | null, reason: string): Promise<boolean> {
    const outcome = await this.users.countFailedLogin(user.id, LOCKOUT_THRESHOLD);
    await this.security.record('login.failed', {
      userId: user.id,
      ip,
      detail: { email: user.email, reason: outcome.alreadyLocked ? `${reason} for a locked user` : reason, failedLogins: outcome.failedLogins },
    });
    if (outcome.lockedNow) {
      await this.security.record('account.locked', { userId: user.id, ip, detail: { email: user.email, reason: `${LOCKOUT_THRESHOLD} failed logins in a row` } });
      await this.security.announceUser('user.locked', { ...toUserView(user), status: 'locked' });
    }
    return outcome.lockedNow || outcome.alreadyLocked;
  }
}
