import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';
import type { ErrorCode } from '@bank/contracts/error-codes';
import { PROBLEM_CONTENT_TYPE, problemTypeUri, type FieldError, type ProblemDocument } from '@bank/contracts/problem';
import { DomainError } from './domain-error';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

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

/** Errors raised by body-parser before Nest sees the request (malformed JSON, oversized body). */
interface BodyParserError {
  type: string;
  status: number;
}
function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' && typeof (error as BodyParserError).status === 'number';
}

interface Mapped {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

/** The one place every error becomes an RFC 9457 problem document with a stable `code`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const mapped = this.map(exception);
    if (mapped.status >= 500 && mapped.status !== 503) {
      this.logger.error({ err: exception, path: request.originalUrl }, 'unhandled error');
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
    if (response.headersSent) return;
    if (exception instanceof DomainError) response.set(exception.headers);
    response.status(mapped.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private map(exception: unknown): Mapped {
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
}
