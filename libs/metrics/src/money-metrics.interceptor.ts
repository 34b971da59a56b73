import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { tap, type Observable } from 'rxjs';
import { IDEMPOTENT_REPLAYED_HEADER } from '@bank/contracts/ledger';
import { problemOf } from '@bank/problems/problem-mapping';
import { MetricsRegistry, type MoneyKind } from './metrics.registry';

const KIND_OF_HANDLER: Record<string, MoneyKind> = { deposit: 'deposit', withdraw: 'withdrawal', transfer: 'transfer' };

/** Counts each money-moving call by its outcome; it only watches, it changes nothing. */
@Injectable()
export class MoneyMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsRegistry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const kind = KIND_OF_HANDLER[context.getHandler().name];
    if (!kind) return next.handle();
    const response = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap({
        next: () => this.metrics.moneyMovements.inc({ kind, outcome: response.getHeader(IDEMPOTENT_REPLAYED_HEADER) ? 'replayed' : 'posted' }),
        error: (error: unknown) => this.metrics.moneyMovements.inc({ kind, outcome: problemOf(error).code }),
      }),
    );
  }
}
