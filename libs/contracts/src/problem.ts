import type { ErrorCode } from './error-codes';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `details.dailyLimit`; empty for the whole body. */
  path: string;
  message: string;
}

/** RFC 9457 problem document, sent as `application/problem+json`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemTypeUri(code: ErrorCode): string {
  return `urn:bankingcore:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}
