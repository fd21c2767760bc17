import type { NextFunction, Request, Response } from 'express';
import { MAX_JSON_DEPTH, findJsonFault } from '../validation/json-screening';
import { PROBLEM_CONTENT_TYPE, buildProblem } from './problem-details';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

const TOO_DEEP = 'entity.too.deep';
const NUL_IN_BODY = 'entity.nul.character';
const NUL_IN_URL = 'url.nul.character';

/**
 * Express middleware placed right after the body parsers: what they accept that the rest cannot
 * take goes to bodyParserErrorHandler as a 400. A JSON body nested deeper than MAX_JSON_DEPTH
 * would overflow the stack in validation (a 500); a NUL character in a JSON body or in the URL
 * would fail the database query it reaches (a 500 too). Form bodies are Twilio's webhooks: an
 * SMS is kept whatever it holds (its NULs are replaced where it is stored).
 */
export function screenRequests(request: Request, _response: Response, next: NextFunction) {
  const refuse = (type: string) => next(Object.assign(new Error(type), { type, status: 400 }));
  if (/%00/i.test(request.originalUrl)) return refuse(NUL_IN_URL);
  // A raw body (a signed webhook, parsed by its handler after the check) is screened there.
  if (request.is('application/json') && !Buffer.isBuffer(request.body)) {
    const fault = findJsonFault(request.body);
    if (fault) return refuse(fault === 'too-deep' ? TOO_DEEP : NUL_IN_BODY);
  }
  next();
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
    case NUL_IN_BODY:
    case NUL_IN_URL:
      problem = buildProblem(
        400,
        'NUL_CHARACTER',
        `The request ${error.type === NUL_IN_URL ? 'URL' : 'body'} holds a NUL character (U+0000), which no field may contain.`,
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
