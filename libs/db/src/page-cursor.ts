import { ValidationFailed } from '@bank/problems/domain-error';

/** Keyset cursors: an opaque token holding the sequence number to continue below. */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeSeqCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const match = /^seq:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const seq = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(seq)) throw new ValidationFailed([{ path: 'cursor', message: 'is not a cursor this api issued' }]);
  return seq;
}
