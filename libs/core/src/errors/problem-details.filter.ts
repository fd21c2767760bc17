import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
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
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

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
    } else {
      problem = buildProblem(500, 'INTERNAL_ERROR', 'An unexpected error occurred.', context);
      this.logger.error({ err: loggableError(exception) }, 'unhandled error');
    }

    if (response.headersSent) return;
    response.status(problem.status).set(headers).type(PROBLEM_CONTENT_TYPE).json(problem);
  }
}
