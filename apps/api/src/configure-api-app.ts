import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import {
  AppConfig,
  FastPathValidationPipe,
  ROOT_LOGGER,
  bodyParserErrorHandler,
  screenRequests,
  requestContextMiddleware,
  validationExceptionFactory,
} from '@app/core';
import { SMS_GATEWAY_WEBHOOKS_PATH } from '@app/devices';
import { CLIENT_API_PREFIX, MOBILE_API_PREFIX } from './mobile/mobile-paths';
import { CLIENT_API_BASIC_AUTH } from './mobile/client-api/client-api.controller';
import { API_PREFIX, DOCS_PATH } from './api-paths';
import { REFRESH_COOKIE, WEB_CLIENT, WEB_CLIENT_HEADER } from './auth/web-session-cookie';
import { webAppBuilt, webAppMiddleware } from './web/web-app';

export const BODY_LIMIT = '100kb';
/**
 * A batch may carry 1,000 messages of 1,600 characters, each up to 3 bytes in UTF-8 (what the API
 * counts is UTF-16 code units): 4.8 MB of text, plus the JSON around it.
 */
export const BATCH_BODY_LIMIT = '6mb';
/** A received text of up to 40,000 characters (a long concatenated SMS), in UTF-8, in JSON. */
const SMS_GATEWAY_BODY_LIMIT = '256kb';
export const BATCH_PATH = `/${API_PREFIX}/messages/batch`;

/** Routes that live outside /api/v1: the home page, probes, provider webhooks. */
export const UNPREFIXED_ROUTES = [
  { path: '/', method: RequestMethod.GET },
  { path: 'health', method: RequestMethod.ALL },
  { path: 'health/ready', method: RequestMethod.ALL },
  { path: 'metrics', method: RequestMethod.ALL },
  { path: 'webhooks/twilio/{*path}', method: RequestMethod.ALL },
  // The SMS Gateway for Android app's mobile API and client API keep the app's own paths
  // (docs/android.md), as do the signed webhooks the app posts received texts to.
  { path: `${MOBILE_API_PREFIX}/{*path}`, method: RequestMethod.ALL },
  { path: `${CLIENT_API_PREFIX}/{*path}`, method: RequestMethod.ALL },
  { path: `${SMS_GATEWAY_WEBHOOKS_PATH}/{*path}`, method: RequestMethod.ALL },
];

/**
 * Everything that makes a Nest application the Switchboard API: shared by main.ts and the e2e
 * tests, so that tests exercise exactly what users run. The app must be created with
 * `{ bodyParser: false, bufferLogs: true }`.
 */
export function configureApiApp(app: NestExpressApplication): NestExpressApplication {
  app.useLogger(app.get(Logger));
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  // Which proxies may set X-Forwarded-For: the client IP feeds the per-IP sign-in limits.
  app.set('trust proxy', app.get(AppConfig).get('TRUST_PROXY'));
  app.disable('x-powered-by');
  // An ETag is a SHA-1 of every JSON answer, and no client revalidates POST answers or lists.
  app.set('etag', false);
  app.use(requestContextMiddleware(app.get(ROOT_LOGGER)));
  app.use(
    staticHeaders(
      helmet({
        // The Swagger UI at /docs needs inline scripts and styles; the web app sets its own.
        contentSecurityPolicy: false,
      }),
    ),
  );
  serveWebApp(app);
  // Whichever parser reads a body first wins; the second sees it already read and passes.
  // The app's webhooks are signed over their exact bytes: kept raw, parsed once checked.
  app.use(
    `/${SMS_GATEWAY_WEBHOOKS_PATH}`,
    express.raw({ type: () => true, limit: SMS_GATEWAY_BODY_LIMIT }),
  );
  app.use(BATCH_PATH, express.json({ limit: BATCH_BODY_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use(screenRequests);
  app.use(bodyParserErrorHandler);
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(
    new FastPathValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  setUpOpenApi(app);
  return app;
}

/** The web app at `/` (before the body parsers: it only answers GET and HEAD). */
function serveWebApp(app: NestExpressApplication): void {
  const distDir = app.get(AppConfig).get('WEB_DIST_DIR');
  if (!webAppBuilt(distDir)) {
    app
      .get(ROOT_LOGGER)
      .info(
        { webDistDir: distDir },
        'The web app is not built (no index.html in WEB_DIST_DIR): / shows the API docs until `npm run build` builds it',
      );
  }
  app.use(webAppMiddleware(distDir));
}

/**
 * The headers a middleware sets, recorded once and then set on every response by one function.
 * Without its Content-Security-Policy, helmet's dozen middlewares only set fixed headers (none
 * reads the request), and calling them all per request showed in the benchmark's profile.
 */
function staticHeaders(middleware: express.RequestHandler): express.RequestHandler {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  };
  middleware({} as express.Request, recorder as unknown as express.Response, () => undefined);
  return (_request, response, next) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    next();
  };
}

function setUpOpenApi(app: NestExpressApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, createOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}

/**
 * The OpenAPI document of the app's routes, once the global prefix is set. Also made without a
 * database by scripts/api-types.js (an app created in preview mode), for the web app's types.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard')
    .setDescription(
      'Self-hostable SMS backend: send and receive SMS through Twilio or your own Android phones. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. ' +
        'Any endpoint may answer `503 DATABASE_UNAVAILABLE` (with `Retry-After`) while PostgreSQL cannot be reached; nothing was stored then, so the request can be retried as it is. ' +
        'Lists are cursor-paginated: `?limit=&cursor=` answers `{ data, nextCursor }`.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Access token or API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .addCookieAuth(
      REFRESH_COOKIE,
      {
        type: 'apiKey',
        in: 'cookie',
        name: REFRESH_COOKIE,
        description: `The web app's refresh token (HttpOnly), for POST /auth/refresh and /auth/logout only, with the header ${WEB_CLIENT_HEADER}: ${WEB_CLIENT}`,
      },
      REFRESH_COOKIE,
    )
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'Any username; an API key as the password' },
      CLIENT_API_BASIC_AUTH,
    )
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .build();
  return SwaggerModule.createDocument(app, config);
}
