import type { ErrorCode } from '../error-codes';
import type { FieldError, ProblemDocument } from '../problem';

/** A refused call: the problem document the api answered (or one made up for a network failure). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK_ERROR';
  readonly errors: FieldError[];
  /** Seconds to wait before trying again (429 `Retry-After`), if the api said. */
  readonly retryAfterS: number | null;
  readonly document: Partial<ProblemDocument>;

  constructor(status: number, document: Partial<ProblemDocument>, retryAfterS: number | null = null) {
    super(document.detail ?? document.title ?? `HTTP ${status}`);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = document.code ?? (status === 0 ? 'NETWORK_ERROR' : 'INTERNAL_ERROR');
    this.errors = Array.isArray(document.errors) ? document.errors : [];
    this.retryAfterS = retryAfterS;
    this.document = document;
  }

  /** The message for one form field (`path` as the api names it, e.g. `amount`), if any. */
  fieldError(path: string): string | undefined {
    return this.errors.find((error) => error.path === path)?.message;
  }
}
