import { AuthModule } from '@bank/auth/auth.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { Module } from '@nestjs/common';
import { UsersModule } from '@bank/users/users.module';
import { SecurityModule } from './security.module';
import { SecurityAdminController } from './security-admin.controller';
import { UserLocksController } from './user-locks.controller';
import { UserLocksService } from './user-locks.service';
import { AdminKeyVerifier } from './admin-key.verifier';

/** The admin's security routes: the trail, and locking/unlocking users. */
@Module({
  imports: [SecurityModule, UsersModule, AuthModule, OutboxModule],
  providers: [UserLocksService, AdminKeyVerifier],
  controllers: [SecurityAdminController, UserLocksController],
})
export class SecurityAdminModule {}
