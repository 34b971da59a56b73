import { Module } from '@nestjs/common';
import { ReversalsRepository } from './reversals.repository';
import { ReversalsService } from './reversals.service';

/** Reversals without the rest of the ledger: the worker's fulfilment of an approved dispute posts them. */
@Module({
  providers: [ReversalsRepository, ReversalsService],
  exports: [ReversalsService],
})
export class ReversalsModule {}
