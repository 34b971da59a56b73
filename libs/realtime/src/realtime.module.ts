import { Module } from '@nestjs/common';
import { AuthModule } from '@bank/auth/auth.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { UsersModule } from '@bank/users/users.module';
import { EventsGateway } from './events.gateway';
import { EventsController } from './events.controller';
import { LiveEventsHub } from './live-events.hub';
import { TokenRevocationsFeed } from './token-revocations.feed';
import { PresenceStore } from './presence/presence.store';
import { RequestPresence } from './presence/request-presence';

@Module({
  imports: [AuthModule, OutboxModule, UsersModule],
  providers: [LiveEventsHub, EventsGateway, TokenRevocationsFeed, PresenceStore, RequestPresence],
  controllers: [EventsController],
  exports: [LiveEventsHub, EventsGateway],
})
export class RealtimeModule {}
