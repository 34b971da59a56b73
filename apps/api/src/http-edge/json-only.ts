import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';

/**
 * Fastify `preParsing` hook, with the JSON parser as the only body parser (text/plain removed, no
 * form parser registered: a cross-site HTML form can send neither JSON nor anything we read).
 * JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset would be misread, so it is a
 * 415 like any other media type; `charset=utf-8` (any case) or none is fine.
 */
export function refuseNonUtf8Json(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (error: Error | null, body?: Readable) => void): void {
  const contentType = request.headers['content-type'];
  const charset = contentType ? /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType)?.[1] : undefined;
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return done(Object.assign(new Error(`Unsupported charset "${charset}": JSON is read as UTF-8.`), { statusCode: 415 }));
  }
  done(null, payload);
}
