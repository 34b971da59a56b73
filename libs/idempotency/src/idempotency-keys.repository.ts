import { Injectable } from '@nestjs/common';
import { SqlPool } from '@bank/db/sql-pool';

const CLAIM = { name: 'idempotency-claim', text: 'insert into idempotency_keys (user_id, key, request_hash) values ($1, $2, $3) on conflict do nothing returning user_id' };
const STORED = { name: 'idempotency-stored', text: 'select request_hash, response_body from idempotency_keys where user_id = $1 and key = $2' };
const ANSWER = { name: 'idempotency-answer', text: 'update idempotency_keys set response_status = $3, response_body = $4::json where user_id = $1 and key = $2' };

/** A key already claimed: the fingerprint of the request that claimed it, and the answer stored for it. */
export interface StoredIdempotencyKey<T> {
  request_hash: string;
  response_body: T;
}

/** The `idempotency_keys` table (shared with `money_execute`, which claims the money POSTs' keys itself). Joins the caller's transaction. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly sql: SqlPool) {}

  /** True if this call claimed the key; false if it was claimed before. */
  async claim(userId: string, key: string, fingerprint: string): Promise<boolean> {
    return (await this.sql.query(CLAIM, [userId, key, fingerprint])).length > 0;
  }

  /** A key `claim` found taken: its row is there (the claim's conflict saw it committed). */
  async findClaimed<T>(userId: string, key: string): Promise<StoredIdempotencyKey<T>> {
    const [stored] = await this.sql.query<StoredIdempotencyKey<T>>(STORED, [userId, key]);
    return stored;
  }

  async storeAnswer(userId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.sql.query(ANSWER, [userId, key, status, JSON.stringify(body)]);
  }
}
