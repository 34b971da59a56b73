import { Injectable } from '@nestjs/common';
import { userRecipient } from '@bank/contracts/events';
import { OutboxService } from '@bank/outbox/outbox.service';
import { UsersService } from '@bank/users/users.service';

/**
 * Tells every api process, through the live stream, a user's `tokens_valid_after` and whether an
 * admin's lock is in force (`tokens.revoked`), in the caller's transaction: after a lock, an
 * unlock, or an operator's unlock.
 */
@Injectable()
export class RevocationAnnouncer {
  constructor(
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
  ) {}

  async announce(userId: string, locked: boolean): Promise<void> {
    const revocation = await this.users.tokenRevocation(userId);
    if (!revocation) return;
    await this.outbox.append([{ recipient: userRecipient(userId), type: 'tokens.revoked', data: { validAfter: new Date(revocation.validAfterMs).toISOString(), locked } }]);
  }
}
