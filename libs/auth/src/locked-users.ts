import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { UsersService } from '@bank/users/users.service';

/**
 * Access tokens are stateless, so a lock alone would leave a locked user's tokens working until
 * they expire. Each api process keeps the users locked within the last access-token lifetime
 * (older locks have no valid token left) and refuses their tokens issued before the lock — also
 * after an unlock, so a token stolen before the lock stays dead; tokens from a sign-in after the
 * unlock pass. Fed by the `user.locked` event every api process receives, seeded from the
 * database at start.
 */
@Injectable()
export class LockedUsers implements OnApplicationBootstrap {
  /** user id → when the lock was seen (epoch seconds). */
  private readonly lockedAtS = new Map<string, number>();

  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { userId, lockedAtS } of await this.users.lockedWithin(this.config.accessTokenTtlS)) {
      this.lockedAtS.set(userId, Math.max(this.lockedAtS.get(userId) ?? 0, lockedAtS));
    }
  }

  locked(userId: string, atS = Math.floor(Date.now() / 1000)): void {
    this.lockedAtS.set(userId, atS);
  }

  /** Whether a token of this user issued at `issuedAtS` predates a lock still in force. */
  refuses(userId: string, issuedAtS: number, nowS = Date.now() / 1000): boolean {
    const lockedAtS = this.lockedAtS.get(userId);
    if (lockedAtS === undefined) return false;
    if (nowS - lockedAtS > this.config.accessTokenTtlS) {
      this.lockedAtS.delete(userId); // every token issued before it has expired
      return false;
    }
    return issuedAtS <= lockedAtS;
  }
}
