import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { Public } from '@bank/auth/public.decorator';
import { DomainError } from '@bank/problems/domain-error';
import { MetricsRegistry } from './metrics.registry';
import { metricsAccessAllowed } from './metrics-access';

class MetricsTokenInvalid extends DomainError {
  constructor() {
    super('TOKEN_INVALID', 401, 'Metrics need the scraper token (Authorization: Bearer <METRICS_TOKEN>).', {}, undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
  }
}

/**
 * `GET /metrics` (API.md "Health and operations"): Prometheus text, for the scraper inside the
 * network, behind `METRICS_TOKEN` (required in production). The shipped nginx never proxies it.
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(['metrics', 'api/v1/metrics'])
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    if (!metricsAccessAllowed(request, this.config.metricsToken)) throw new MetricsTokenInvalid();
    response.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
