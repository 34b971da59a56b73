import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OutageLog } from '@bank/redis/redis-health';
import { hasRedisNow } from './bull-shutdown';
import { ExpiryProcessor, FulfilmentProcessor, TriageProcessor } from './request.processors';

/**
 * The request workers' lifecycle around @nestjs/bullmq's: their Redis errors logged once per
 * outage (BullMQ prints every failed reconnection otherwise), and their close — they take no new
 * job and finish the ones they hold — before any module's own shutdown hook runs. @nestjs/bullmq
 * and MikroORM both close in those hooks, in an order that follows module discovery; a job needs
 * its database until its end, whatever the order.
 */
@Injectable()
export class RequestWorkersDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly outage = new OutageLog('the request workers', new Logger(RequestWorkersDrain.name));

  constructor(
    private readonly triage: TriageProcessor,
    private readonly fulfilment: FulfilmentProcessor,
    private readonly expiry: ExpiryProcessor,
  ) {}

  onApplicationBootstrap(): void {
    for (const { worker } of [this.triage, this.fulfilment, this.expiry]) {
      worker.on('error', (error) => this.outage.failed(error));
      void worker.client.then((client) => client.on('ready', () => this.outage.recovered())).catch(() => undefined);
    }
  }

  /** While Redis is unreachable a graceful close would wait for it to come back: such a worker is closed at once (its jobs run again later). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.triage, this.fulfilment, this.expiry].map(async ({ worker }) => worker.close(!(await hasRedisNow(worker)))));
  }
}
