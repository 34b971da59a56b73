import { Global, Module } from '@nestjs/common';
import { SignInWatch } from '@bank/auth/sign-in-watch';
import { UserNotifier } from '@bank/auth/user-notifier';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { SignInAlertsService } from './sign-in-alerts.service';

/**
 * The notification center. Global, because identity (libs/auth) reports sign-ins through the
 * SignInWatch port and tells users of security changes through the UserNotifier port without
 * importing this library; other features add notifications through NotificationsService.
 */
@Global()
@Module({
  providers: [
    NotificationsRepository,
    NotificationsService,
    SignInAlertsService,
    { provide: SignInWatch, useExisting: SignInAlertsService },
    { provide: UserNotifier, useExisting: NotificationsService },
  ],
  controllers: [NotificationsController],
  exports: [NotificationsService, SignInWatch, UserNotifier],
})
export class NotificationsModule {}
