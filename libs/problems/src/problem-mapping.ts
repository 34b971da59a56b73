import { HttpException } from '@nestjs/common';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';
import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';
import { DomainError } from './domain-error';
import { DEPENDENCY_RETRY_AFTER_S, RequestDeadlineExceeded, unavailableDependency } from './dependency-failure';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'TOKEN_INVALID',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'VALIDATION_FAILED',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  423: 'ACCOUNT_LOCKED',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function fieldErrorsOf(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

/**
 * Errors raised while the HTTP server reads a request, before any handler sees it: Fastify's own
 * (`FST_ERR_CTP_*`: a body over the limit, malformed or empty JSON, a media type it does not read,
 * a __proto__ key; `FST_ERR_BAD_URL`, `FST_ERR_MAX_PARAM_LENGTH`: a URL the router refuses) and
 * those of the decompression hook. Each carries a 4xx `statusCode`.
 */
interface RequestReadError {
  statusCode: number;
  code?: unknown;
}
function isRequestReadError(error: unknown): error is RequestReadError {
  if (typeof error !== 'object' || error === null) return false;
  const { statusCode } = error as RequestReadError;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/** What an error becomes for the client: the status, the stable code, and what the document says. */
export interface MappedProblem {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  /** Response headers that belong to this answer (`Retry-After`). */
  headers?: Record<string, string>;
}

const RETRY_AFTER = { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_S) };

/** Every error a request can end with, mapped once: the filter writes it, metrics count its code. */
export function problemOf(exception: unknown): MappedProblem {
  if (exception instanceof DomainError) {
    return { status: exception.status, code: exception.code, detail: exception.message, errors: exception.errors, extensions: exception.extensions };
  }
  if (exception instanceof ZodValidationException) {
    const zodError = exception.getZodError();
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'The request is not valid.',
      errors: zodError instanceof ZodError ? fieldErrorsOf(zodError) : [],
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
    const extensions = status === 503 && typeof body === 'object' ? { checks: (body as { details?: unknown }).details } : undefined;
    return { status, code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED'), detail, extensions };
  }
  const dependency = unavailableDependency(exception);
  if (dependency) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      detail: `A service the bank depends on (${dependency === 'postgresql' ? 'its database' : 'its cache and queues'}) does not answer right now. Try again in a moment; a money request sent with the same Idempotency-Key is never applied twice.`,
      extensions: { dependency, retryAfter: DEPENDENCY_RETRY_AFTER_S },
      headers: RETRY_AFTER,
    };
  }
  if (exception instanceof RequestDeadlineExceeded) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      detail: 'The request was not answered within its deadline. Try again in a moment; a money request sent with the same Idempotency-Key is never applied twice.',
      extensions: { retryAfter: DEPENDENCY_RETRY_AFTER_S },
      headers: RETRY_AFTER,
    };
  }
  if (isRequestReadError(exception)) {
    if (exception.statusCode === 413) {
      return { status: 413, code: 'VALIDATION_FAILED', detail: 'The request body is too large.', errors: [{ path: '', message: 'body too large' }] };
    }
    if (exception.statusCode === 415) {
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body must be JSON in UTF-8 (Content-Type: application/json), sent as is or with gzip, deflate or br.' };
    }
    if (exception.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || exception.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || exception instanceof SyntaxError) {
      return { status: 400, code: 'VALIDATION_FAILED', detail: 'The request body is not valid JSON.', errors: [{ path: '', message: 'malformed JSON' }] };
    }
    return { status: exception.statusCode, code: 'VALIDATION_FAILED', detail: 'The request could not be read (its URL or body is malformed).' };
  }
  return { status: 500, code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side. It has been logged.' };
}
