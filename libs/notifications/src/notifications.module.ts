import { Global, Module } from '@nestjs/common';
import { SignInWatch } from '@bank/auth/sign-in-watch';
import { SecurityNotices } from '@bank/auth/security-notices';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { SignInAlertsService } from './sign-in-alerts.service';
import { SecurityNoticesService } from './security-notices.service';

/**
 * The notification center. Global, because identity (libs/auth) reports sign-ins through the
 * SignInWatch port, and security notices through the SecurityNotices port, without importing this library; other features add notifications through
 * NotificationsService.
 */
@Global()
@Module({
  providers: [
    NotificationsRepository,
    NotificationsService,
    SignInAlertsService,
    SecurityNoticesService,
    { provide: SignInWatch, useExisting: SignInAlertsService },
    { provide: SecurityNotices, useExisting: SecurityNoticesService },
  ],
  controllers: [NotificationsController],
  exports: [NotificationsService, SignInWatch, SecurityNotices],
})
export class NotificationsModule {}
