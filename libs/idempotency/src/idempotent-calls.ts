import { Injectable } from '@nestjs/common';
import { DomainError } from '@bank/problems/domain-error';
import { requestFingerprint } from './request-fingerprint';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

export interface OnceResult<T> {
  body: T;
  /** True when the body is the stored answer of an earlier call with the same key. */
  replayed: boolean;
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was already used with a different request.');
  }
}

/**
 * `Idempotency-Key` for calls other than the money commands (which claim theirs inside
 * `money_execute`): the key is claimed, the call made and its answer stored in one transaction, so
 * the same key with the same request answers the stored body (and changes nothing), with another
 * request 422 `IDEMPOTENCY_KEY_REUSED`. A call that fails leaves no key behind: it rolled back. The
 * same table and key space as the money POSTs, per user, kept at least 24 h.
 */
@Injectable()
export class IdempotentCalls {
  constructor(private readonly keys: IdempotencyKeysRepository) {}

  /** Runs `work` once per (user, key); must be called inside the transaction of `work`'s writes. */
  async once<T>(userId: string, key: string, request: unknown, status: number, work: () => Promise<T>): Promise<OnceResult<T>> {
    const fingerprint = requestFingerprint(request);
    if (!(await this.keys.claim(userId, key, fingerprint))) {
      const stored = await this.keys.findClaimed<T>(userId, key);
      if (stored.request_hash !== fingerprint) throw new IdempotencyKeyReused();
      return { body: stored.response_body, replayed: true };
    }
    const body = await work();
    await this.keys.storeAnswer(userId, key, status, body);
    return { body, replayed: false };
  }
}
