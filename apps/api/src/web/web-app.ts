import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { API_PREFIX, DOCS_PATH } from '../api-paths';
import { CLIENT_API_PREFIX, MOBILE_API_PREFIX } from '../mobile/mobile-paths';

/** Vite puts every hashed file here: a new build gives a changed file a new name. */
export const WEB_ASSETS_PATH = 'assets';
const INDEX_FILE = 'index.html';
const IMMUTABLE = 'public, max-age=31536000, immutable';
// Everything else (index.html, a favicon) keeps its name across builds, so it is revalidated.
const REVALIDATE = 'no-cache';

const firstSegment = (path: string) => path.split('/', 1)[0].toLowerCase();

/**
 * The first path segments the API owns. The web app never answers there, so an unknown path under
 * them stays the API's 404 problem details, whatever the caller accepts.
 */
const API_OWNED_SEGMENTS = new Set([
  firstSegment(API_PREFIX),
  firstSegment(MOBILE_API_PREFIX),
  firstSegment(CLIENT_API_PREFIX),
  DOCS_PATH,
  `${DOCS_PATH}-json`,
  'ws',
  'webhooks',
  'health',
  'metrics',
]);

/** Express matches routes case-insensitively, so `/API/v1/me` is the API's too. */
function isApiOwned(path: string): boolean {
  const end = path.indexOf('/', 1);
  const segment = path.slice(1, end === -1 ? undefined : end);
  return API_OWNED_SEGMENTS.has(segment.toLowerCase());
}

const isAssetPath = (path: string) =>
  path.toLowerCase().startsWith(`/${WEB_ASSETS_PATH}/`) ||
  path.toLowerCase() === `/${WEB_ASSETS_PATH}`;

// A browser navigating asks for text/html; fetch() and API clients do not.
const wantsHtml = (request: Request) => (request.headers.accept ?? '').includes('text/html');

// A Host header fit to be named in a header of our own: a name or address and a port, nothing
// that could end a directive.
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The web app's Content-Security-Policy: its own files only; no inline script or style, no
 * outside host (self-hosters run it offline). connect-src names this host's ws: and wss: as well
 * as 'self', for browsers whose 'self' does not cover WebSockets.
 */
function contentSecurityPolicy(): RequestHandler {
  const connectSources = (request: Request) => {
    const host = request.host;
    return host && PLAIN_HOST.test(host) ? `'self' ws://${host} wss://${host}` : "'self'";
  };
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'"],
      connectSrc: [(request) => connectSources(request as Request)],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}

/**
 * Serves the built web app (docs/architecture.md#web-app) at `/`: files through Express's static
 * middleware, hashed assets cached for a year, everything else revalidated, and index.html for a
 * browser's navigation to any other path that is not the API's (the app's client routes).
 * The directory is looked at per request, so a build made while the API runs is served at once;
 * without one, every request passes on (and `/` reaches the home page's redirect to /docs).
 */
export function webAppMiddleware(distDir: string): RequestHandler {
  const assetsDir = join(distDir, WEB_ASSETS_PATH) + sep;
  const indexFile = join(distDir, INDEX_FILE);
  const csp = contentSecurityPolicy();
  const files = express.static(distDir, {
    index: [INDEX_FILE],
    // A directory without a slash goes on to the fallback, not to a redirect.
    redirect: false,
    setHeaders: (response, path) =>
      response.setHeader('Cache-Control', path.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE),
  });

  const clientRoute = (request: Request, response: Response, next: NextFunction) => {
    // A missing hashed file is a 404: an old page asking for it must not get HTML back.
    if (!wantsHtml(request) || isAssetPath(request.path)) return next();
    response.sendFile(
      indexFile,
      { headers: { 'Cache-Control': REVALIDATE, Vary: 'Accept' } },
      (error) => {
        // No build (or it vanished): the API's 404. Once headers left, the client went away.
        if (error && !response.headersSent) next();
      },
    );
  };

  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (isApiOwned(request.path)) return next();
    csp(request, response, (error?: unknown) => {
      if (error) return next(error);
      files(request, response, (failed?: unknown) =>
        failed ? next(failed) : clientRoute(request, response, next),
      );
    });
  };
}

/** Whether `distDir` holds a build (checked once at start-up, for the log line). */
export function webAppBuilt(distDir: string): boolean {
  return existsSync(join(distDir, INDEX_FILE));
}
