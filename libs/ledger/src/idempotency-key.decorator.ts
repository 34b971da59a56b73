import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeySchema } from '@bank/contracts/ledger';
import { ValidationFailed } from '@bank/problems/domain-error';

/** The optional `Idempotency-Key` header, validated (1..255 characters). */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed([{ path: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'is invalid' }]);
  return parsed.data;
});
