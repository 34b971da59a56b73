import { Module } from '@nestjs/common';
import { HoldsRepository } from './holds.repository';
import { HoldsService } from './holds.service';

/** Holds without the rest of the ledger: the worker's fulfilment posts them, the api reads them. */
@Module({
  providers: [HoldsRepository, HoldsService],
  exports: [HoldsService],
})
export class HoldsModule {}
