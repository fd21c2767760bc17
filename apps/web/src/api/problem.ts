/** RFC 9457 problem details as the API answers them (`application/problem+json`). */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
}

export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

/**
 * An API call that failed: a problem the API answered, or no answer at all (code NETWORK_ERROR).
 * `retryAfterSeconds` comes from the Retry-After header (or the problem's own extension).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly fieldErrors: FieldError[];
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(problem: ProblemDetails) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.fieldErrors = problem.errors ?? [];
    this.retryAfterSeconds = problem.retryAfterSeconds;
    this.requestId = problem.requestId;
  }

  /** The message of a field, for showing it next to that field. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((error) => error.field === field)?.message;
  }
}

/** Reads a failed response as an ApiError, whatever its body is. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  let body: Partial<ProblemDetails> & Record<string, unknown> = {};
  try {
    body = (await response.clone().json()) as typeof body;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const header = Number(response.headers.get('Retry-After'));
  const extension = typeof body.retryAfter === 'number' ? body.retryAfter : undefined;
  return new ApiError({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
    title: typeof body.title === 'string' ? body.title : response.statusText,
    detail: typeof body.detail === 'string' ? body.detail : undefined,
    requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
    errors: Array.isArray(body.errors) ? (body.errors as FieldError[]) : undefined,
    retryAfterSeconds: Number.isFinite(header) && header > 0 ? header : extension,
  });
}

export function networkError(): ApiError {
  return new ApiError({
    status: 0,
    code: 'NETWORK_ERROR',
    detail: 'The server cannot be reached. Check your connection and try again.',
  });
}

/** "in 3 minutes", for a wait in seconds. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `in ${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `in ${hours} hour${hours === 1 ? '' : 's'}`;
}

/**
 * A sentence for a person. Codes the user can act on get our own words; the rest show the API's
 * detail, which is written for people too.
 */
export function messageOf(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const wait = error.retryAfterSeconds ? ` Try again ${waitText(error.retryAfterSeconds)}.` : '';
  switch (error.code) {
    case 'INVALID_CODE':
      return 'That code is wrong, expired or already used. Check the SMS or ask for a new code.';
    case 'INVALID_CREDENTIALS':
      return 'The phone number or password is wrong.';
    case 'RATE_LIMITED':
      return `Too many tries.${wait || ' Wait a little and try again.'}`;
    case 'SERVER_BUSY':
      return `The server is busy.${wait || ' Try again in a moment.'}`;
    case 'SIGNUP_DISABLED':
      return 'This server does not create accounts by sign-up. Ask its operator for an account.';
    case 'INVALID_PHONE_NUMBER':
      return 'That is not a valid phone number. Use the international format, e.g. +14155550123.';
    case 'DESTINATION_NOT_ALLOWED':
      return 'This server cannot text that number.';
    case 'PASSWORD_TOO_COMMON':
      return 'That password is too common. Choose another one.';
    case 'DATABASE_UNAVAILABLE':
      return `The server is having trouble.${wait || ' Try again in a moment.'}`;
    case 'NETWORK_ERROR':
      return error.detail!;
    default:
      return (error.detail ?? error.message) + wait;
  }
}
