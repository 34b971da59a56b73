import { Global, Module } from '@nestjs/common';
import { MetricsRegistry } from './metrics.registry';
import { MetricsController } from './metrics.controller';
import { MoneyMetricsInterceptor } from './money-metrics.interceptor';

/**
 * Prometheus metrics of the api process at `/metrics`: the registry and its counters. Global, so any
 * module counts into it and any controller can use MoneyMetricsInterceptor. The platform-wide gauges
 * read at scrape time (queues, sockets, outbox lag, lockouts) are the admin library's PlatformGauges.
 */
@Global()
@Module({
  providers: [MetricsRegistry, MoneyMetricsInterceptor],
  controllers: [MetricsController],
  exports: [MetricsRegistry, MoneyMetricsInterceptor],
})
export class MetricsModule {}
