import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@bank/auth/public.decorator';
import { MetricsRegistry } from './metrics.registry';

/** `GET /metrics` (API.md "Health and operations"): Prometheus text, for the scraper inside the network. */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get(['metrics', 'api/v1/metrics'])
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    response.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
