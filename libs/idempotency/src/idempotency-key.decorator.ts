import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, IdempotencyKeySchema } from '@bank/contracts/ledger';
import { ValidationFailed } from '@bank/problems/domain-error';

/** The optional `Idempotency-Key` header, validated (1..255 characters). */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed([{ path: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'is invalid' }]);
  return parsed.data;
});

/** The OpenAPI description of the header, for every route that honours it. */
export const IDEMPOTENCY_KEY_DOC = { name: 'Idempotency-Key', required: false, description: '1..255 characters; the same request again answers the original response (Idempotent-Replayed: true) and changes nothing' };

/** The body of a call that honours `Idempotency-Key`, marking a replay with `Idempotent-Replayed: true`. */
export function replayAware<T>(reply: FastifyReply, result: { body: T; replayed: boolean }): T {
  if (result.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return result.body;
}
