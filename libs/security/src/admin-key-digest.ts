import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { SecretHasher } from '@bank/users/secret-hasher';
import { AdminKeyDigestRepository } from './admin-key-digest.repository';

/**
 * What the platform's ADMIN_KEY is, for a process that holds none it can trust (the operator's
 * CLI): its Argon2id hash, kept in PostgreSQL, so a key given to the CLI is checked against the
 * key the api processes run with. Never the key itself.
 */
@Injectable()
export class AdminKeyDigest {
  constructor(
    private readonly digests: AdminKeyDigestRepository,
    private readonly hasher: SecretHasher,
  ) {}

  /** Records `adminKey` unless the stored digest already verifies it (most starts hash nothing). */
  async record(adminKey: string): Promise<void> {
    const stored = await this.digests.find();
    if (stored && (await this.hasher.verify(stored, adminKey))) return;
    await this.digests.store(await this.hasher.hash(adminKey));
  }

  /** `none` until an api process has started against this database. */
  async check(presented: string): Promise<'match' | 'mismatch' | 'none'> {
    const stored = await this.digests.find();
    if (!stored) return 'none';
    return (await this.hasher.verify(stored, presented)) ? 'match' : 'mismatch';
  }
}

/** Each api process records its ADMIN_KEY's digest at start (the last one started wins, if they differ). */
@Injectable()
export class AdminKeyDigestRecorder implements OnApplicationBootstrap {
  constructor(
    private readonly digest: AdminKeyDigest,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.digest.record(this.config.adminKey);
  }
}
