import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { SecurityTrail } from '@bank/auth/security-trail';
import { SecurityEventsService } from './security-events.service';
import { SecurityEventsRepository } from './security-events.repository';

/**
 * The security trail (events stored and pushed to admins). Global, because identity (libs/auth)
 * writes to it through the SecurityTrail port without importing this library. The admin routes
 * live in SecurityAdminModule.
 */
@Global()
@Module({
  imports: [OutboxModule],
  providers: [SecurityEventsService, SecurityEventsRepository, { provide: SecurityTrail, useExisting: SecurityEventsService }],
  exports: [SecurityEventsService, SecurityTrail],
})
export class SecurityModule {}
