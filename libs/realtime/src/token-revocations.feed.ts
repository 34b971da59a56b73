import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TokenRevocations } from '@bank/auth/token-revocations';
import { LiveEventsHub } from './live-events.hub';

/**
 * Keeps this process's TokenRevocations current from the live stream (`session.revoked`,
 * `tokens.revoked`, whichever process caused them), so every door refuses a revoked token within
 * moments of the commit.
 */
@Injectable()
export class TokenRevocationsFeed implements OnModuleInit {
  constructor(
    private readonly hub: LiveEventsHub,
    private readonly revocations: TokenRevocations,
  ) {}

  onModuleInit(): void {
    this.hub.onRevocation((userId, envelope) => {
      if (envelope.type === 'session.revoked') this.revocations.sessionRevoked(userId, envelope.data.sessionId);
      else this.revocations.tokensRevoked(userId, Date.parse(envelope.data.validAfter), envelope.data.locked);
    });
  }
}
