import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { BackdatedPostingsRepository, type BackdatedPostingRow } from './backdated-postings.repository';

export type BackdatedPosting = BackdatedPostingRow;

/**
 * History with past dates, for the demo data only (DEMO_DATA, refused in production): every
 * posting through BackdatedPostingsRepository, which keeps the money path's double entry.
 */
@Injectable()
export class BackdatedPostingsService {
  constructor(
    private readonly em: EntityManager,
    private readonly postings: BackdatedPostingsRepository,
  ) {}

  /**
   * Posts them oldest first in one transaction, under a transaction-scoped advisory lock on
   * `lockName` — unless an account they touch has entries already (a previous run, or money moved
   * since): history goes only before everything else. So two processes seeding at once, or a
   * restart, post it once. True if posted.
   */
  async postOnce(lockName: string, postings: readonly BackdatedPosting[]): Promise<boolean> {
    const future = postings.find((posting) => posting.at.getTime() >= Date.now());
    if (future) throw new RangeError(`a backdated posting must be in the past: ${future.at.toISOString()}`);
    const sorted = [...postings].sort((a, b) => a.at.getTime() - b.at.getTime());
    const accountIds = [...new Set(sorted.flatMap((p) => [p.debitAccountId, p.creditAccountId]).filter((id): id is string => id !== null))];
    return this.em.transactional(async () => {
      await this.postings.lock(lockName);
      if (accountIds.length === 0 || (await this.postings.anyEntries(accountIds))) return false;
      for (const posting of sorted) await this.postings.post(posting);
      return true;
    });
  }
}
