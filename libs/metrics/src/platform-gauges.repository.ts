import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/**
 * The scrape-time reads that no feature's service offers. Runs outside any request context, on
 * the ORM's connection directly.
 */
@Injectable()
export class PlatformGaugesRepository {
  constructor(private readonly em: EntityManager) {}

  /** Users locked so far: `account.locked` in the security trail (lockouts and admin locks). */
  async countLockouts(): Promise<number> {
    const [row] = await this.em.getConnection().execute<Array<{ n: string }>>(`select count(*) as n from security_events where type = 'account.locked'`);
    return Number(row?.n ?? 0);
  }
}
