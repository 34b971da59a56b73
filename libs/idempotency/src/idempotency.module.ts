import { Module } from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotentCalls } from './idempotent-calls';

@Module({ providers: [IdempotencyKeysRepository, IdempotentCalls], exports: [IdempotentCalls] })
export class IdempotencyModule {}
