import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Who may scrape `/metrics`: each scrape reads PostgreSQL and Redis, and the series describe the
 * platform, so with `METRICS_TOKEN` set only `Authorization: Bearer <METRICS_TOKEN>` is answered
 * (compared digest to digest in constant time). Without it (development and tests) anyone.
 */
export function metricsAccessAllowed(request: FastifyRequest, metricsToken: string | null): boolean {
  if (metricsToken === null) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(metricsToken)) && match !== null;
}
