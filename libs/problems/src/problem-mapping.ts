import { HttpException } from '@nestjs/common';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';
import type { ErrorCode } from '@bank/contracts/error-codes';
import type { FieldError } from '@bank/contracts/problem';
import { DomainError } from './domain-error';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'TOKEN_INVALID',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'VALIDATION_FAILED',
  415: 'VALIDATION_FAILED',
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
 * Errors raised while Express reads the body, before Nest sees the request: body-parser's own carry
 * a `type` (malformed JSON, oversized body, unsupported charset or encoding); a body that does not
 * decompress (`Content-Encoding: gzip` on garbage) is the zlib error wrapped by http-errors, with a
 * 4xx `status` and `expose: true` but no `type`.
 */
interface BodyParserError {
  type?: unknown;
  status: number;
  expose?: unknown;
}
function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null) return false;
  const { type, status, expose } = error as BodyParserError;
  return typeof status === 'number' && (typeof type === 'string' || expose === true);
}

/** What an error becomes for the client: the status, the stable code, and what the document says. */
export interface MappedProblem {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

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
  if (isBodyParserError(exception) && exception.status >= 400 && exception.status < 500) {
    if (exception.type === 'entity.too.large') {
      return { status: 413, code: 'VALIDATION_FAILED', detail: 'The request body is too large.', errors: [{ path: '', message: 'body too large' }] };
    }
    if (exception.type === 'entity.parse.failed') {
      return { status: 400, code: 'VALIDATION_FAILED', detail: 'The request body is not valid JSON.', errors: [{ path: '', message: 'malformed JSON' }] };
    }
    return { status: exception.status, code: 'VALIDATION_FAILED', detail: 'The request body could not be read.' };
  }
  return { status: 500, code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side. It has been logged.' };
}
