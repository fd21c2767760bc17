import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface AppExceptionOptions {
  /** Extra members added to the problem-details body (RFC 9457 extension members). */
  extensions?: Record<string, unknown>;
  errors?: FieldError[];
  /** Response headers, e.g. Retry-After on a 429. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * A failure the caller can act on. `code` is stable and machine-readable (clients and tests match
 * on it); `detail` is for humans and may change.
 */
export class AppException extends Error {
  readonly extensions: Record<string, unknown>;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly detail: string,
    options: AppExceptionOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.extensions = options.extensions ?? {};
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export class NotFoundAppException extends AppException {
  constructor(code: string, detail: string) {
    super(HttpStatus.NOT_FOUND, code, detail);
  }
}

export class ConflictAppException extends AppException {
  constructor(code: string, detail: string, extensions?: Record<string, unknown>) {
    super(HttpStatus.CONFLICT, code, detail, { extensions });
  }
}

export class UnprocessableAppException extends AppException {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, code, detail, { errors });
  }
}
