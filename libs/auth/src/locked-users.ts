import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';

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
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.em.fork().getConnection().execute<Array<{ id: string; locked_at_s: string }>>(
      `select id, floor(extract(epoch from locked_at)) as locked_at_s from users where locked_at > now() - make_interval(secs => ?)`,
      [this.config.accessTokenTtlS],
    );
    for (const row of rows) this.lockedAtS.set(row.id, Math.max(this.lockedAtS.get(row.id) ?? 0, Number(row.locked_at_s)));
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
