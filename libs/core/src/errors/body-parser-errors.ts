import type { NextFunction, Request, Response } from 'express';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../validation/json-depth';
import { PROBLEM_CONTENT_TYPE, buildProblem } from './problem-details';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

const TOO_DEEP = 'entity.too.deep';

/**
 * Express middleware placed right after the JSON body parsers: a body nested deeper than
 * MAX_JSON_DEPTH goes to bodyParserErrorHandler as a 400, before validation could overflow the
 * stack on it (a 500).
 */
export function rejectTooDeepBodies(request: Request, _response: Response, next: NextFunction) {
  if (!nestsDeeperThan(request.body)) return next();
  next(Object.assign(new Error('body nested too deep'), { type: TOO_DEEP, status: 400 }));
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
    case TOO_DEEP:
      problem = buildProblem(
        400,
        'JSON_TOO_DEEP',
        `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`,
        context,
      );
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
