import { Module } from '@nestjs/common';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { SecurityEventsService } from './security-events.service';

/** The security trail (events stored and pushed to admins). The admin routes live in SecurityAdminModule. */
@Module({
  imports: [OutboxModule],
  providers: [SecurityEventsService],
  exports: [SecurityEventsService],
})
export class SecurityModule {}
