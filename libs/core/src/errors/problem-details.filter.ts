import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { AppException } from './app.exception';
import { PROBLEM_CONTENT_TYPE, buildProblem, defaultCodeForStatus } from './problem-details';

/**
 * What of an unexpected error may be logged: TypeORM's QueryFailedError carries the statement's
 * parameters, which can hold secrets (a sign-in code on its way to the messages table).
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error) || !('parameters' in error)) return error;
  const { name, message, stack } = error;
  const { code, query } = error as Error & { code?: string; query?: string };
  return { name, message, stack, code, query };
}

function messageOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : fallback;
}

/**
 * The one place an HTTP error becomes a response: RFC 9457 problem details with a stable code.
 * Unexpected errors are logged once, with the request id, and answered without internals.
 */
const DATABASE_RETRY_AFTER_SECONDS = '2';
// One warning per this long while the database is down, not one per request.
const UNAVAILABLE_REPORT_INTERVAL_MS = 5000;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');
  private unavailableReportedAt = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request & { id?: string }>();
    const response = host.switchToHttp().getResponse<Response>();
    const context = { instance: request.originalUrl?.split('?')[0], requestId: request.id };

    let problem;
    let headers: Record<string, string> = {};
    if (exception instanceof AppException) {
      problem = buildProblem(exception.status, exception.code, exception.detail, {
        ...context,
        ...exception.extensions,
        ...(exception.errors ? { errors: exception.errors } : {}),
      });
      headers = exception.headers;
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      problem = buildProblem(
        status,
        defaultCodeForStatus(status),
        messageOf(exception.getResponse(), exception.message),
        context,
      );
      if (status >= 500) this.logger.error({ err: loggableError(exception) }, 'request failed');
    } else if (isDatabaseUnavailable(exception)) {
      // Nothing was committed (a 2xx is only answered after COMMIT): the client may retry.
      problem = buildProblem(
        503,
        'DATABASE_UNAVAILABLE',
        'The database is unavailable; nothing was stored. Try again shortly.',
        context,
      );
      headers = { 'Retry-After': DATABASE_RETRY_AFTER_SECONDS };
      this.reportUnavailable(exception);
    } else {
      problem = buildProblem(500, 'INTERNAL_ERROR', 'An unexpected error occurred.', context);
      this.logger.error({ err: loggableError(exception) }, 'unhandled error');
    }

    if (response.headersSent) return;
    response.status(problem.status).set(headers).type(PROBLEM_CONTENT_TYPE).json(problem);
  }

  private reportUnavailable(error: unknown): void {
    const now = Date.now();
    if (now - this.unavailableReportedAt < UNAVAILABLE_REPORT_INTERVAL_MS) return;
    this.unavailableReportedAt = now;
    this.logger.warn(`Database unavailable, answering 503: ${(error as Error).message}`);
  }
}
