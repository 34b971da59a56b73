import type { FastifyInstance } from 'fastify';
import { isAllowedOrigin } from '@bank/config/allowed-origin';
import { Forbidden } from '@bank/problems/domain-error';
import { sendProblem } from '@bank/problems/problem-details.filter';

/**
 * The auth calls that sign a browser in (they set the refresh cookie, or create the account one
 * signs into). Named by route, so a route listed before it exists (`mfa/verify`) is covered once
 * it is registered.
 */
export const SIGN_IN_ROUTES: ReadonlySet<string> = new Set(['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh', '/api/v1/auth/mfa/verify']);

/**
 * Login CSRF: a page elsewhere must not sign the browser into an account of its choosing. A sign-in
 * call whose `Origin` is present and neither the api's own nor on `CORS_ORIGINS` is 403 before
 * its body is read (nothing counted, nothing set). Clients that send no Origin (apps, curl) pass.
 */
export function refuseForeignSignIns(fastify: FastifyInstance, allowlist: readonly string[]): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!SIGN_IN_ROUTES.has(request.routeOptions.url ?? '') || isAllowedOrigin(request.headers.origin, request.headers.host, allowlist)) return done();
    sendProblem(request, reply, new Forbidden('Sign-in calls from a page of another site are refused (its Origin is not allowed).'));
  });
}
