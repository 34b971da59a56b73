import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import type { UserView } from '@bank/contracts/users';
import { UsersService } from '@bank/users/users.service';
import { Conflict, NotFound } from '@bank/problems/domain-error';
import { SessionsService } from '@bank/auth/sessions.service';
import { TokenRevocations } from '@bank/auth/token-revocations';
import { SecurityEventsService } from './security-events.service';
import { AdminKeyAttempts, adminKeyRefusal } from './admin-key-attempts';
import { RevocationAnnouncer } from './revocation-announcer';

const LOCK_RACE_MARGIN_MS = 2_000;

/**
 * What admins do to users: lock with a reason, unlock with the admin key. Each action is in the
 * security trail. An admin's lock ends everything: the user's sessions, and — through
 * `tokens_valid_after` and `tokens.revoked` — every access token issued before it, on every api
 * process, also after the unlock and after a restart.
 */
@Injectable()
export class UserLocksService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly security: SecurityEventsService,
    private readonly adminKeys: AdminKeyAttempts,
    private readonly announcer: RevocationAnnouncer,
    private readonly sessions: SessionsService,
    private readonly revocations: TokenRevocations,
  ) {}

  async lock(admin: AuthenticatedUser, userId: string, reason: string, ip: string | null): Promise<UserView> {
    if (userId === admin.id) throw new Conflict('An admin cannot lock themselves out.');
    // A sign-in or refresh racing the lock (it read the user just before the lock committed) signs
    // its token moments after: refused too. The unlock moves the time back to itself.
    const at = new Date(Date.now() + LOCK_RACE_MARGIN_MS);
    const outcome = await this.em.transactional(async () => {
      const locked = await this.users.lock(userId, reason, at);
      if (!locked) return { user: await this.existing(userId), revoked: false };
      await this.sessions.endAll(userId);
      await this.security.record('account.locked', { userId, ip, detail: { by: admin.id, reason } });
      await this.security.announceUser('user.locked', locked);
      await this.announcer.announce(userId, true);
      return { user: locked, revoked: true };
    });
    if (outcome.revoked) await this.applyRevocationHere(userId);
    return outcome.user;
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
      await this.announcer.announce(userId, false);
      return { kind: 'done', user: unlocked } as const;
    });
    if (outcome.kind === 'done') await this.applyRevocationHere(userId);
    if (outcome.kind !== 'done') throw adminKeyRefusal(outcome);
    return outcome.user;
  }

  /** After the commit: this process at once (the others when the stream reaches them). */
  private async applyRevocationHere(userId: string): Promise<void> {
    const revocation = await this.users.tokenRevocation(userId);
    if (revocation) this.revocations.tokensRevoked(userId, revocation.validAfterMs, revocation.adminLocked);
  }

  private async existing(userId: string): Promise<UserView> {
    const user = await this.users.view(userId);
    if (!user) throw new NotFound('The user');
    return user;
  }
}
