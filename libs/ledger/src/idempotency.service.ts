import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { IDEMPOTENT_REPLAYED_HEADER } from '@bank/contracts/ledger';
import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';
import { DomainError } from '@bank/problems/domain-error';
import { IdempotencyKeyReused } from './ledger.errors';

export interface MoneyCommand {
  userId: string;
  idempotencyKey: string | undefined;
  /** What makes two requests "the same": operation, target and parsed body. */
  request: unknown;
}

export interface CommandResult<T> {
  body: T;
  replayed: boolean;
}

interface StoredRefusal {
  refusal: { code: ErrorCode; status: number; detail: string; extensions: Record<string, unknown>; errors?: FieldError[] };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(stableJson(request)).digest('hex');
}

/**
 * Runs a money command in one database transaction together with its Idempotency-Key record
 * (money rule 6). The key row is inserted first: a concurrent request with the same key waits on
 * its unique index until the first commits, then replays the stored answer. Refusals (domain
 * errors) are stored and committed too, with whatever the command counted before refusing
 * (a wrong PIN), so a replay answers the same even if funds arrived since.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly em: EntityManager) {}

  async run<T>(command: MoneyCommand, work: () => Promise<T>): Promise<CommandResult<T>> {
    const { userId, idempotencyKey: key } = command;
    const fingerprint = key ? requestFingerprint(command.request) : '';
    const outcome = await this.em.transactional(async (em) => {
      if (key) {
        const claimed = await em.execute(
          'insert into idempotency_keys (user_id, key, request_hash) values (?, ?, ?) on conflict do nothing returning user_id',
          [userId, key, fingerprint],
        );
        if (claimed.length === 0) {
          const [stored] = await em.execute<Array<{ request_hash: string; response_status: number; response_body: unknown }>>(
            'select request_hash, response_status, response_body from idempotency_keys where user_id = ? and key = ?',
            [userId, key],
          );
          if (stored.request_hash !== fingerprint) return { kind: 'reused' as const };
          return { kind: 'replay' as const, status: stored.response_status, body: stored.response_body };
        }
      }
      let result: { kind: 'done'; status: number; body: unknown } | { kind: 'refused'; status: number; body: StoredRefusal; error: DomainError };
      try {
        result = { kind: 'done', status: 201, body: await work() };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const refusal = { code: error.code, status: error.status, detail: error.message, extensions: error.extensions, errors: error.errors };
        result = { kind: 'refused', status: error.status, body: { refusal }, error };
      }
      if (key) {
        await em.execute('update idempotency_keys set response_status = ?, response_body = ?::jsonb where user_id = ? and key = ?', [
          result.status,
          JSON.stringify(result.body),
          userId,
          key,
        ]);
      }
      return result;
    });
    switch (outcome.kind) {
      case 'reused':
        throw new IdempotencyKeyReused();
      case 'refused':
        throw outcome.error;
      case 'done':
        return { body: outcome.body as T, replayed: false };
      case 'replay': {
        const stored = outcome.body as StoredRefusal | T;
        if (outcome.status >= 400) {
          const { refusal } = stored as StoredRefusal;
          throw new DomainError(refusal.code, refusal.status, refusal.detail, refusal.extensions, refusal.errors, { [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
        }
        return { body: stored as T, replayed: true };
      }
    }
  }
}
