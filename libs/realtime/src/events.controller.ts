import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { EventsQuerySchema, type EventEnvelope } from '@bank/contracts/events';
import type { Page } from '@bank/contracts/pagination';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { OutboxService } from '@bank/outbox/outbox.service';
import { recipientsOf } from './events.gateway';

class EventsQueryDto extends createZodDto(EventsQuerySchema) {}

/** The live stream over plain REST, for clients without WebSockets: the same envelopes, oldest first. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: EventsQueryDto): Promise<Page<EventEnvelope>> {
    const rows = await this.outbox.readStream(recipientsOf(user), BigInt(query.after), query.limit + 1);
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }
}
