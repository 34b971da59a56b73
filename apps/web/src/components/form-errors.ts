import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { z } from 'zod';
import { ApiProblem } from '@bank/contracts/client/api-problem';

/** Field path (as the api and the schemas name it, e.g. `amount`) → message. */
export type FieldErrors = Record<string, string>;

/** The first message of each field of a failed schema check (the same schemas the api validates with). */
export function schemaFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.');
    errors[path] ??= issue.message;
  }
  return errors;
}

export function problemFieldErrors(error: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (error instanceof ApiProblem) for (const fieldError of error.errors) errors[fieldError.path] ??= fieldError.message;
  return errors;
}

/** A sentence for a person about why the call failed. */
export function problemMessage(error: unknown): string {
  if (!(error instanceof ApiProblem)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'The bank cannot be reached. Check your connection and try again.';
    case 'RATE_LIMITED':
      return `Too many attempts. Please wait ${error.retryAfterS ?? 60} seconds and try again.`;
    case 'ACCOUNT_LOCKED':
      return 'This user is locked after too many failed sign-ins. An administrator must unlock it.';
    case 'INVALID_CREDENTIALS':
      return 'The email or the password is wrong.';
    case 'VALIDATION_FAILED':
      return error.errors.length > 0 ? 'Please correct the fields marked below.' : error.message;
    default:
      return error.message;
  }
}

/**
 * A form's state — field errors, the message for the whole form, busy while its call runs — for
 * its host to render. `submit` runs the call once at a time and turns a refusal into messages.
 */
export class FormState implements ReactiveController {
  errors: FieldErrors = {};
  message: string | null = null;
  busy = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** The form's own checks failed: show these, call nothing. */
  invalid(errors: FieldErrors): void {
    this.errors = errors;
    this.message = null;
    this.host.requestUpdate();
  }

  /** `describe` says a refusal in the form's own words (default: `problemMessage`). */
  async submit<T>(call: () => Promise<T>, describe: (error: unknown) => string = problemMessage): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.errors = {};
    this.message = null;
    this.busy = true;
    this.host.requestUpdate();
    try {
      return await call();
    } catch (error) {
      this.errors = problemFieldErrors(error);
      this.message = describe(error);
      return undefined;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }
}
