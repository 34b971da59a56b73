import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { RealtimeModule } from '@bank/realtime/realtime.module';
import { RequestQueuesModule } from '@bank/requests/request-queues.module';
import { RateLimitFallbackCounter } from '@bank/security/rate-limits/fallback-throttler-storage';
import { MetricsRegistry } from './metrics.registry';
import { PlatformGauges } from './platform-gauges';
import { PlatformGaugesRepository } from './platform-gauges.repository';
import { MetricsController } from './metrics.controller';
import { MoneyMetricsInterceptor } from './money-metrics.interceptor';

/** Prometheus metrics of the api process at `/metrics`. Global, so any controller can use MoneyMetricsInterceptor. */
@Global()
@Module({
  imports: [OutboxModule, RealtimeModule, RequestQueuesModule],
  providers: [
    MetricsRegistry,
    PlatformGaugesRepository,
    PlatformGauges,
    MoneyMetricsInterceptor,
    { provide: RateLimitFallbackCounter, inject: [MetricsRegistry], useFactory: (registry: MetricsRegistry) => registry.rateLimitFallback },
  ],
  controllers: [MetricsController],
  exports: [MetricsRegistry, MoneyMetricsInterceptor, RateLimitFallbackCounter],
})
export class MetricsModule {}
