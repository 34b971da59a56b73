import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@bank/config/app-config';
import { ConfigModule } from '@bank/config/config.module';
import { DbModule } from '@bank/db/db.module';
import { UsersModule } from '@bank/users/users.module';
import { SecurityModule } from '@bank/security/security.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { OperatorUnlockService } from '@bank/security/operator-unlock.service';
import { RevocationAnnouncer } from '@bank/security/revocation-announcer';
import { AdminKeyDigest } from '@bank/security/admin-key-digest';
import { AdminKeyDigestRepository } from '@bank/security/admin-key-digest.repository';

/**
 * The operator's command line: PostgreSQL only (no Redis, no HTTP), with the same unlock the
 * admin's endpoint uses. Not SecurityAdminModule: that one records the api's ADMIN_KEY at start,
 * which the CLI must check against, never overwrite.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DbModule, UsersModule, SecurityModule, OutboxModule],
      providers: [OperatorUnlockService, RevocationAnnouncer, AdminKeyDigest, AdminKeyDigestRepository],
    };
  }
}
