import { Injectable } from '@nestjs/common';
import type { SecurityNotice, SecurityNotices } from '@bank/auth/security-notices';
import { NotificationsService } from './notifications.service';

/** Identity's security notices (password changed, session ended, two-factor changed) as notifications, in the caller's transaction. */
@Injectable()
export class SecurityNoticesService implements SecurityNotices {
  constructor(private readonly notifications: NotificationsService) {}

  async notify(userId: string, notice: SecurityNotice): Promise<void> {
    await this.notifications.add(userId, notice);
  }
}
