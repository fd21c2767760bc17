import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp, urlOf } from './helpers/test-app';

const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/assets/index-3f9a1c2b.js"></script></head>' +
  '<body><div id="root">web app index</div></body></html>';
const SCRIPT = 'console.log("the web app");';
const STYLE = 'body { margin: 0 }';

/** A directory shaped like Vite's output: index.html, hashed files under assets/, a favicon. */
function fixtureBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'index-3f9a1c2b.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-77d0e4aa.css'), STYLE);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.secret'), 'not for the web');
  return dir;
}

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Every path prefix the API owns, with a path under it that no route answers. */
const API_OWNED_UNKNOWN_PATHS = [
  '/api/v1/nothing-here',
  '/API/V1/nothing-here',
  '/api/mobile/v1/nothing-here',
  '/api/nothing-here',
  '/3rdparty/v1/nothing-here',
  '/docs/nothing-here',
  '/ws/nothing-here',
  '/ws',
  '/webhooks/nothing-here',
  '/webhooks/twilio/nothing-here',
  '/health/nothing-here',
  '/metrics/nothing-here',
];

describe('the web app, served by the API', () => {
  let app: NestExpressApplication;
  let dist: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    dist = fixtureBuild();
    app = await createTestApp({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, with a strict Content-Security-Policy', async () => {
    const home = await http().get('/').set('Accept', HTML);
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toMatch(/^text\/html/);
    expect(home.text).toBe(INDEX_HTML);
    expect(home.headers['cache-control']).toBe('no-cache');

    const policy = Object.fromEntries(
      (home.headers['content-security-policy'] as string).split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    const host = new URL(urlOf(app)).host;
    expect(policy).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'", `ws://${host}`, `wss://${host}`],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    // helmet's other headers are there as on every answer.
    expect(home.headers['x-content-type-options']).toBe('nosniff');

    const direct = await http().get('/index.html');
    expect(direct.text).toBe(INDEX_HTML);
    expect(direct.headers['cache-control']).toBe('no-cache');
  });

  it('names no host of a forged Host header in the policy', async () => {
    const home = await http().get('/').set('Host', 'evil.example; script-src *');
    expect(home.status).toBe(200);
    expect(home.headers['content-security-policy']).not.toMatch(/evil|\*/);
    expect(home.headers['content-security-policy']).toMatch(/connect-src 'self';/);
  });

  it('caches hashed assets for a year, and revalidates the other files', async () => {
    const script = await http().get('/assets/index-3f9a1c2b.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toBe(SCRIPT);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const style = await http().head('/assets/index-77d0e4aa.css');
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    expect(style.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const icon = await http().get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a revalidation of index.html with 304 when it has not changed', async () => {
    const first = await http().get('/');
    const again = await http()
      .get('/')
      .set('If-None-Match', first.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it("answers a browser's navigation to a client route with index.html (GET and HEAD)", async () => {
    for (const path of ['/chats', '/chats/+14155550123', '/messages/abc?status=failed']) {
      const page = await http().get(path).set('Accept', HTML);
      expect({ path, status: page.status, text: page.text }).toEqual({
        path,
        status: 200,
        text: INDEX_HTML,
      });
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers.vary).toMatch(/Accept/);
      expect(page.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    }
    const head = await http().head('/groups/42').set('Accept', HTML);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/html/);
  });

  it('answers anything but a navigation to an unknown path with the API 404', async () => {
    const cases: Array<[string, () => request.Test]> = [
      ['JSON', () => http().get('/chats').set('Accept', 'application/json')],
      ['no Accept', () => http().get('/chats')],
      ['POST', () => http().post('/chats').set('Accept', HTML).send({})],
      // A missing hashed file, even asked for as a page: never index.html in its place.
      ['missing asset', () => http().get('/assets/index-00000000.js').set('Accept', HTML)],
      ['assets folder', () => http().get('/assets').set('Accept', HTML)],
      ['dotfile', () => http().get('/.secret')],
    ];
    for (const [name, send] of cases) {
      const answer = await send();
      expect({ name, status: answer.status }).toEqual({ name, status: 404 });
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('NOT_FOUND');
    }
  });

  it.each(API_OWNED_UNKNOWN_PATHS)(
    'never answers %s with the web app, even to a browser',
    async (path) => {
      for (const method of ['get', 'head'] as const) {
        const answer = await http()[method](path).set('Accept', HTML);
        expect({ method, status: answer.status }).toEqual({ method, status: 404 });
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.headers['content-security-policy']).toBeUndefined();
        if (method === 'get') expect(answer.body.code).toBe('NOT_FOUND');
      }
    },
  );

  it("leaves the API's own pages alone: docs, OpenAPI, health, metrics", async () => {
    const docs = await http().get('/docs/').set('Accept', HTML);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    // The Swagger UI needs inline scripts: the web app's policy is not set on it.
    expect(docs.headers['content-security-policy']).toBeUndefined();
    const openApi = await http().get('/docs-json').set('Accept', HTML);
    expect(openApi.status).toBe(200);
    expect(openApi.body.info.title).toBe('Switchboard');
    const health = await http().get('/health').set('Accept', HTML);
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    const metrics = await http().get('/metrics').set('Accept', HTML);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('# HELP');
    const unauthenticated = await http().get('/api/v1/me').set('Accept', HTML);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the web app when it is not built', () => {
  let app: NestExpressApplication;
  let dist: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'switchboard-web-empty-'));
    app = await createTestApp({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('sends / to the API docs, client routes get the 404, and a later build is served at once', async () => {
    const home = await http().get('/').set('Accept', HTML);
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/docs');
    const route = await http().get('/chats').set('Accept', HTML);
    expect(route.status).toBe(404);
    expect(route.headers['content-type']).toMatch(/^application\/problem\+json/);

    writeFileSync(join(dist, 'index.html'), INDEX_HTML);
    const built = await http().get('/').set('Accept', HTML);
    expect(built.status).toBe(200);
    expect(built.text).toBe(INDEX_HTML);
    expect((await http().get('/chats').set('Accept', HTML)).text).toBe(INDEX_HTML);
  });
});
