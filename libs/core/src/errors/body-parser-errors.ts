import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, buildProblem } from './problem-details';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Express error middleware placed right after the body parsers: their failures happen before Nest
 * routes the request, so the exception filter never sees them.
 */
export function bodyParserErrorHandler(
  error: BodyParserError,
  request: Request & { id?: string },
  response: Response,
  next: NextFunction,
): void {
  const context = { instance: request.originalUrl.split('?')[0], requestId: request.id };
  let problem;
  switch (error.type) {
    case 'entity.parse.failed':
      problem = buildProblem(400, 'MALFORMED_JSON', 'The request body is not valid JSON.', context);
      break;
    case 'entity.too.large':
      problem = buildProblem(
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body exceeds the limit of ${error.limit ?? 'the configured'} bytes.`,
        context,
      );
      break;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      problem = buildProblem(415, 'UNSUPPORTED_MEDIA_TYPE', error.message, context);
      break;
    default:
      if (error.status && error.status >= 400 && error.status < 500) {
        problem = buildProblem(
          error.status,
          'BAD_REQUEST',
          'The request body could not be read.',
          context,
        );
        break;
      }
      next(error);
      return;
  }
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).json(problem);
}
