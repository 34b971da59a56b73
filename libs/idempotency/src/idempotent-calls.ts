import { Injectable } from '@nestjs/common';
import { SqlPool } from '@bank/db/sql-pool';
import { DomainError } from '@bank/problems/domain-error';
import { requestFingerprint } from './request-fingerprint';

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

const CLAIM = { name: 'idempotency-claim', text: 'insert into idempotency_keys (user_id, key, request_hash) values ($1, $2, $3) on conflict do nothing returning user_id' };
const STORED = { name: 'idempotency-stored', text: 'select request_hash, response_body from idempotency_keys where user_id = $1 and key = $2' };
const ANSWER = { name: 'idempotency-answer', text: 'update idempotency_keys set response_status = $3, response_body = $4::json where user_id = $1 and key = $2' };

/**
 * `Idempotency-Key` for calls other than the money commands (which claim theirs inside
 * `money_execute`): the key is claimed, the call made and its answer stored in one transaction, so
 * the same key with the same request answers the stored body (and changes nothing), with another
 * request 422 `IDEMPOTENCY_KEY_REUSED`. A call that fails leaves no key behind: it rolled back. The
 * same table and key space as the money POSTs, per user, kept at least 24 h.
 */
@Injectable()
export class IdempotentCalls {
  constructor(private readonly sql: SqlPool) {}

  /** Runs `work` once per (user, key); must be called inside the transaction of `work`'s writes. */
  async once<T>(userId: string, key: string, request: unknown, status: number, work: () => Promise<T>): Promise<OnceResult<T>> {
    const fingerprint = requestFingerprint(request);
    const claimed = await this.sql.query(CLAIM, [userId, key, fingerprint]);
    if (claimed.length === 0) {
      const [stored] = await this.sql.query<{ request_hash: string; response_body: T }>(STORED, [userId, key]);
      if (stored.request_hash !== fingerprint) throw new IdempotencyKeyReused();
      return { body: stored.response_body, replayed: true };
    }
    const body = await work();
    await this.sql.query(ANSWER, [userId, key, status, JSON.stringify(body)]);
    return { body, replayed: false };
  }
}
