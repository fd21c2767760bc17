import http from 'node:http';
import type { Socket } from 'node:net';
import { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

const isClass = (constructor: unknown) =>
  Function.prototype.toString.call(constructor).startsWith('class');

/**
 * Request and response constructors for Node's HTTP server whose objects are born with Express's
 * prototypes (`app.request`, `app.response`). Plain functions calling Node's (function-style)
 * constructors: `Reflect.construct` would do the same for class constructors, but costs more
 * than the swap it avoids. Null if Node's constructors are classes.
 */
function expressMessageClasses(app: Express) {
  if (isClass(http.IncomingMessage) || isClass(http.ServerResponse)) return null;
  const IncomingMessage = http.IncomingMessage as unknown as (this: object, socket: Socket) => void;
  const ServerResponse = http.ServerResponse as unknown as (
    this: object,
    request: http.IncomingMessage,
    options?: object,
  ) => void;
  function ExpressRequest(this: object, socket: Socket): void {
    IncomingMessage.call(this, socket);
  }
  ExpressRequest.prototype = app.request;
  function ExpressResponse(this: object, request: http.IncomingMessage, options?: object): void {
    ServerResponse.call(this, request, options);
  }
  ExpressResponse.prototype = app.response;
  return {
    IncomingMessage: ExpressRequest as unknown as typeof http.IncomingMessage,
    ServerResponse: ExpressResponse as unknown as typeof http.ServerResponse,
  };
}

/**
 * Nest's Express adapter, with one change: Node creates each request and response with Express's
 * own prototypes from the start.
 *
 * Express otherwise swaps the prototype of every request and response it handles
 * (`Object.setPrototypeOf` in `app.handle`), and V8 handles swapped objects badly: slower property
 * access and much of what a request allocates surviving young-generation collections (figures in
 * docs/performance.md#what-made-the-difference). With the prototypes already right, Express's
 * swap does nothing.
 */
export class ExpressHttpAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    const app = this.getInstance<Express>();
    const classes = expressMessageClasses(app);
    // Nest's own server for what this does not cover (HTTPS; forced closing of connections,
    // which Nest tracks privately).
    if (options?.httpsOptions || options?.forceCloseConnections || !classes) {
      return super.initHttpServer(options);
    }
    this.httpServer = http.createServer(classes, app);
  }
}
