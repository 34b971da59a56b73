import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { SecurityTrail } from '@bank/auth/security-trail';
import { AdminKeyCheck } from '@bank/auth/admin-key-check';
import { SecurityEventsService } from './security-events.service';
import { SecurityEventsRepository } from './security-events.repository';
import { AdminKeyVerifier } from './admin-key.verifier';
import { AdminKeyAttempts } from './admin-key-attempts';

/**
 * The security trail (events stored and pushed to admins) and the admin-key check with its
 * wrong-key throttle. Global, because identity (libs/auth) uses both through the SecurityTrail and
 * AdminKeyCheck ports without importing this library. The admin routes live in SecurityAdminModule.
 */
@Global()
@Module({
  imports: [OutboxModule],
  providers: [
    SecurityEventsService,
    SecurityEventsRepository,
    AdminKeyVerifier,
    AdminKeyAttempts,
    { provide: SecurityTrail, useExisting: SecurityEventsService },
    { provide: AdminKeyCheck, useExisting: AdminKeyAttempts },
  ],
  exports: [SecurityEventsService, SecurityTrail, AdminKeyAttempts, AdminKeyCheck],
})
export class SecurityModule {}
