import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LockedUsers } from '@bank/auth/locked-users';
import { LiveEventsHub } from './live-events.hub';

/** Keeps this process's LockedUsers current from the live stream, so REST refuses a locked user's older tokens within moments. */
@Injectable()
export class LockedUsersFeed implements OnModuleInit {
  constructor(
    private readonly hub: LiveEventsHub,
    private readonly lockedUsers: LockedUsers,
  ) {}

  onModuleInit(): void {
    this.hub.onUserLocked((userId) => this.lockedUsers.locked(userId));
  }
}
