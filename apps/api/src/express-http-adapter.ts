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
 * constructors: `Reflect.construct` would do the same for class constructors, but measured
 * slower than the swap it avoids. Null if Node's constructors are classes.
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
 * (`Object.setPrototypeOf` in `app.handle`), and V8 handles swapped objects badly. Measured here:
 * a bare Express app answering JSON POSTs spent ~100 µs of CPU per request instead of ~36 µs, a
 * third of all it allocated survived young-generation collections (10 MB per scavenge instead of
 * 3 kB: 5–13 ms pauses, then frequent full collections); Switchboard's single accepts went from
 * ~280 to ~190 µs of API CPU each (`npm run bench`). With the prototypes already right, Express's
 * swap does nothing.
 */
export class ExpressHttpAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    const app = this.getInstance<Express>();
    const classes = expressMessageClasses(app);
    if (options?.httpsOptions || !classes) return super.initHttpServer(options);
    this.httpServer = http.createServer(classes, app);
    if (options?.forceCloseConnections) {
      (this as unknown as { trackOpenConnections(): void }).trackOpenConnections();
    }
  }
}
