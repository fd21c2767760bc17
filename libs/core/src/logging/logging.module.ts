import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
// The context nestjs-pino's loggers read the request's logger from. Not in its public index: the
// package's version is pinned, and test/request-logs.e2e-spec.ts fails if this stops working.
import { Store, storage } from 'nestjs-pino/storage';
import { Logger as PinoInstance } from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './root-logger';

const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Probes and metrics scrapes every few seconds would drown the useful lines.
const UNLOGGED_URLS = new Set(['/health', '/health/ready', '/metrics']);

/** Keeps a caller's X-Request-Id when it is sane, otherwise makes one; echoes it on the response. */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Express middleware that runs before everything else (body parsers included), so that even a
 * request rejected before Nest routes it has an id in its answer and in its log lines. It gives
 * the request a logger bound to that id, makes it the logger of everything logged while the
 * request is handled (nestjs-pino's context, entered here rather than by a Nest middleware, which
 * Nest would register as eleven route layers to match on every request), and, when "info" is
 * logged, writes one line per finished request.
 *
 * This replaces pino-http, which made two child loggers per request (one serialising the
 * request through the redaction rules) even when nothing was logged: a tenth of the API's CPU
 * per accepted message in the benchmark's profile.
 */
export function requestContextMiddleware(root: PinoInstance) {
  return function requestContext(
    request: IncomingMessage,
    response: ServerResponse,
    next: () => void,
  ): void {
    const id = requestIdFor(request, response);
    const log = root.child({ requestId: id });
    request.id = id;
    request.log = log;
    if (log.isLevelEnabled('info') && !UNLOGGED_URLS.has(request.url ?? '')) {
      const startedAt = performance.now();
      response.once('close', () => logFinished(log, request, response, startedAt));
    }
    storage.run(new Store(log), next);
  };
}

function logFinished(
  log: PinoInstance,
  request: IncomingMessage,
  response: ServerResponse,
  startedAt: number,
): void {
  const line = {
    req: { method: request.method, url: request.url },
    res: { statusCode: response.statusCode },
    responseTime: Math.round(performance.now() - startedAt),
  };
  if (!response.writableFinished) log.warn(line, 'request aborted');
  else if (response.statusCode >= 500) log.error(line, 'request failed');
  else log.info(line, 'request completed');
}

/** The injection token of the process's root pino logger (see createRootLogger). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        createRootLogger(config.get('LOG_LEVEL'), config.get('LOG_FORMAT')),
    },
  ],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured logs (JSON lines, or readable ones in a terminal); every line written during a
 * request carries its `requestId`. nestjs-pino gets the root logger; requestContextMiddleware
 * binds each request's own logger.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (root: PinoInstance) => ({
        pinoHttp: { logger: root },
        useExisting: true,
        // No Nest middleware: requestContextMiddleware does its work for every request.
        forRoutes: [],
      }),
    }),
  ],
  exports: [RootLoggerModule, LoggerModule],
})
export class LoggingModule {}
