import { Injectable } from '@nestjs/common';
import type { SignInOrigin, SignInWatch } from '@bank/auth/sign-in-watch';
import { NotificationsRepository } from './notifications.repository';
import { deviceLabel } from './device-label';

/** What is kept of a user agent: enough to tell devices apart, bounded. */
const DEVICE_MAX_CHARS = 512;

/**
 * `security.sign_in`: a sign-in from a device (user agent) or an address the user never signed in
 * from is notified to them; their first sign-in ever is not (nothing to compare it with). A
 * sign-in without a user agent counts as one device ("unknown").
 */
@Injectable()
export class SignInAlertsService implements SignInWatch {
  constructor(private readonly notifications: NotificationsRepository) {}

  async noteSignIn(userId: string, origin: SignInOrigin): Promise<void> {
    const device = (origin.userAgent ?? '').slice(0, DEVICE_MAX_CHARS);
    await this.notifications.noteSignIn(userId, device, deviceLabel(device), origin.ip);
  }
}
