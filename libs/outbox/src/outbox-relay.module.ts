import { Module } from '@nestjs/common';
import { OutboxRelayRepository } from './outbox-relay.repository';
import { OutboxRelayService } from './outbox-relay.service';

@Module({ providers: [OutboxRelayRepository, OutboxRelayService], exports: [OutboxRelayService] })
export class OutboxRelayModule {}
