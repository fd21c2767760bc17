import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import { AppConfig } from '../config/app-config';

const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it is sane, otherwise makes one; echoes it on the response. */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Express middleware that runs before everything else (body parsers included), so that even a
 * request rejected before Nest routes it has an id in its answer and its log line.
 */
export function requestIdMiddleware(
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  request.id = requestIdFor(request, response);
  next();
}

// Secrets never reach the logs, whichever request or object they travel in.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
];

/** Whether a logger at `configured` writes lines of `level`. */
function logsAt(configured: string, level: 'info'): boolean {
  return configured !== 'silent' && pino.levels.values[configured] <= pino.levels.values[level];
}

/** Structured JSON logs; every line written during a request carries its `requestId`. */
export const LoggingModule = LoggerModule.forRootAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    // Named wildcard: path-to-regexp 8 (Express 5) no longer accepts a bare "*".
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.get('LOG_LEVEL'),
      // Set by requestIdMiddleware; generated here only outside the API (no such middleware).
      genReqId: (request: IncomingMessage, response: ServerResponse) =>
        request.id ?? requestIdFor(request, response),
      customAttributeKeys: { reqId: 'requestId' },
      quietReqLogger: true,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // pino-http logs each finished request at "info": below that level nothing would ever be
      // written, so do not pay for the listeners and the log object of every request.
      autoLogging: logsAt(config.get('LOG_LEVEL'), 'info') && {
        // Probes and metrics scrapes every few seconds would drown the useful lines.
        ignore: (request: IncomingMessage) =>
          request.url === '/health' ||
          request.url === '/health/ready' ||
          request.url === '/metrics',
      },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          method: request.method,
          url: request.url,
        }),
      },
    },
  }),
});
