import { AuthModule } from '@bank/auth/auth.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { Module } from '@nestjs/common';
import { UsersModule } from '@bank/users/users.module';
import { SecurityModule } from './security.module';
import { SecurityAdminController } from './security-admin.controller';
import { UserLocksController } from './user-locks.controller';
import { UserLocksService } from './user-locks.service';
import { RevocationAnnouncer } from './revocation-announcer';
import { AdminKeyDigest, AdminKeyDigestRecorder } from './admin-key-digest';
import { AdminKeyDigestRepository } from './admin-key-digest.repository';

/** The admin's security routes: the trail, and locking/unlocking users; the api's ADMIN_KEY digest recorded at start (for the operator's CLI). */
@Module({
  imports: [SecurityModule, UsersModule, AuthModule, OutboxModule],
  providers: [UserLocksService, RevocationAnnouncer, AdminKeyDigest, AdminKeyDigestRepository, AdminKeyDigestRecorder],
  controllers: [SecurityAdminController, UserLocksController],
  exports: [UserLocksService],
})
export class SecurityAdminModule {}
