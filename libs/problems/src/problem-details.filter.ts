import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemTypeUri, type ProblemDocument } from '@bank/contracts/problem';
import { DomainError } from './domain-error';
import { problemOf, type MappedProblem } from './problem-mapping';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const logger = new Logger('ProblemDetails');

const answered = new WeakMap<FastifyRequest, MappedProblem>();

/** The problem a request was answered with, if any (for metrics, once the answer is sent). */
export function answeredProblem(request: FastifyRequest): MappedProblem | undefined {
  return answered.get(request);
}

/** Answers a request with the RFC 9457 problem document of whatever it ended with. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
  const mapped = problemOf(exception);
  if (mapped.status >= 500 && mapped.status !== 503) {
    logger.error({ err: exception, reqId: request.id, path: request.originalUrl }, 'unhandled error');
  }
  // Extensions first: none may overwrite a member RFC 9457 or API.md defines.
  const problem: ProblemDocument = {
    ...mapped.extensions,
    type: problemTypeUri(mapped.code),
    title: TITLES[mapped.status] ?? 'Error',
    status: mapped.status,
    detail: mapped.detail,
    code: mapped.code,
    instance: request.originalUrl,
    ...(mapped.errors ? { errors: mapped.errors } : {}),
  };
  if (reply.sent) return;
  answered.set(request, mapped);
  if (exception instanceof DomainError) reply.headers(exception.headers);
  if (mapped.headers) reply.headers(mapped.headers);
  reply.status(mapped.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** The one place every error of a Nest route becomes a problem document with a stable `code`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}
