import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

type Decompressor = Gunzip & { receivedEncodedLength?: number };

const DECOMPRESSORS: Record<string, () => Decompressor> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function clientError(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { statusCode });
}

/**
 * Fastify `preParsing` hook: a request body sent with `Content-Encoding: gzip | deflate | br` is
 * decompressed before it is parsed (Fastify reads encoded bodies as they are). The body limit then
 * counts decompressed bytes, so a compression bomb is a 413 like any large body; a body that does
 * not decompress is a 400 and an unknown encoding a 415.
 */
export function decompressRequestBody(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (error: Error | null, body?: Readable) => void): void {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return done(null, payload);
  const decompressor = DECOMPRESSORS[encoding]?.();
  if (!decompressor) return done(clientError(`Unsupported Content-Encoding "${encoding}".`, 415));
  // Fastify checks Content-Length against the bytes that arrived, not the decompressed ones.
  decompressor.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    decompressor.receivedEncodedLength! += chunk.length;
  });
  payload.on('error', (error) => decompressor.destroy(error));
  decompressor.on('error', (error: Error & { statusCode?: number }) => {
    error.statusCode ??= 400;
  });
  done(null, payload.pipe(decompressor));
}
