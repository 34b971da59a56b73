import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import type { Page } from '@bank/contracts/pagination';
import { SecurityEventListQuerySchema, type SecurityEventView } from '@bank/contracts/security';
import { Roles } from '@bank/auth/roles.decorator';
import { SecurityEventsService } from './security-events.service';

class SecurityEventListQueryDto extends createZodDto(SecurityEventListQuerySchema) {}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/security-events')
export class SecurityAdminController {
  constructor(private readonly events: SecurityEventsService) {}

  @Get()
  list(@Query() query: SecurityEventListQueryDto): Promise<Page<SecurityEventView>> {
    return this.events.list(query);
  }
}
