import { request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { ExpressHttpAdapter } from './express-http-adapter';

// The adapter leans on two things Node and Express do not promise: Node's IncomingMessage and
// ServerResponse are function-style constructors that can be called on another prototype, and
// Express takes `app.request`/`app.response` as the prototypes it would swap in. If an upgrade
// breaks either, the adapter quietly falls back to Nest's server and the speed-up is gone: this
// test says so loudly (docs/performance.md#what-made-the-difference).
describe('ExpressHttpAdapter', () => {
  it('makes Node create every request and response with Express prototypes', async () => {
    const adapter = new ExpressHttpAdapter();
    const app = adapter.getInstance<Express>();
    app.get('/', (_request, response) => {
      response.json({ ok: true });
    });
    adapter.initHttpServer({});
    const server = adapter.getHttpServer() as Server;
    let bornWithExpressPrototypes: boolean | undefined;
    // Runs before Express's own listener, so it sees the objects as Node created them.
    server.prependListener('request', (request, response) => {
      bornWithExpressPrototypes =
        Object.getPrototypeOf(request) === app.request &&
        Object.getPrototypeOf(response) === app.response;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/' }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toEqual({ ok: true });
      expect(bornWithExpressPrototypes).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
