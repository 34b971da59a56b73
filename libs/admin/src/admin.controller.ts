import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AdminStats } from '@bank/contracts/admin';
import { Roles } from '@bank/auth/roles.decorator';
import { AdminStatsService } from './admin-stats.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(private readonly statsService: AdminStatsService) {}

  @Get('stats')
  stats(): Promise<AdminStats> {
    return this.statsService.stats();
  }
}
