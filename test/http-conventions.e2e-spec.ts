import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';

interface Schema {
  $ref?: string;
  example?: unknown;
  enum?: unknown[];
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

interface MediaType {
  schema: Schema;
  example?: unknown;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        requestBody?: { content?: Record<string, MediaType> };
        responses: Record<string, { content?: Record<string, MediaType> }>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

describe('HTTP conventions', () => {
  let app: NestExpressApplication;
  let headers: Record<string, string>;

  beforeAll(async () => {
    app = await createTestApp();
    headers = (await createAccount(app)).headers;
  });
  afterAll(() => app.close());

  it("creates each request and response with Express's prototypes (no swap per request)", async () => {
    const express = app.getHttpAdapter().getInstance() as { request: object; response: object };
    const seen: boolean[] = [];
    const server = app.getHttpServer() as import('node:http').Server;
    const check = (req: object, res: object) =>
      seen.push(
        Object.getPrototypeOf(req) === express.request &&
          Object.getPrototypeOf(res) === express.response,
      );
    server.prependListener('request', check);
    try {
      await request(server).post('/api/v1/messages').set(headers).send({}).expect(400);
      await request(server).get('/health').expect(200);
    } finally {
      server.removeListener('request', check);
    }
    expect(seen).toEqual([true, true]);
  });

  it('answers malformed JSON with 400 problem details and no stack trace', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/me')
      .set(headers)
      .set('content-type', 'application/json')
      .send('{bad');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'MALFORMED_JSON',
      title: 'Bad Request',
      type: expect.stringContaining('malformed-json'),
      requestId: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it('answers a body nested too deep for validation with 400 JSON_TOO_DEEP, storing nothing', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const server = app.getHttpServer();
    for (const [path, body] of [
      ['/api/v1/messages', `{"to":"+14155550123","body":"hi","extra":${deep}}`],
      ['/api/v1/messages/batch', `{"messages":[{"to":"+14155550123","body":${deep}}]}`],
      ['/api/v1/me', `{"name":${deep}}`],
    ]) {
      const response = await request(server)
        .post(path)
        .set(headers)
        .set('content-type', 'application/json')
        .send(body);
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 400,
        code: 'JSON_TOO_DEEP',
      });
    }
    const stored = await request(server).get('/api/v1/messages').set(headers);
    expect(stored.body.data).toEqual([]);
    // Bodies as deep as ours are read as before.
    await request(server)
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({ messages: [{ to: '+14155550123', body: 'hi' }] })
      .expect(202);
  });

  it('answers a NUL character in a JSON body or the URL with 400 NUL_CHARACTER, storing nothing', async () => {
    const server = app.getHttpServer();
    const countStored = async () =>
      (await request(server).get('/api/v1/messages').set(headers)).body.data.length;
    const storedBefore = await countStored();
    const answers = [
      await request(server)
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550123', body: 'nul\u0000' }),
      await request(server)
        .post('/api/v1/messages/batch')
        .set(headers)
        .send({ messages: [{ to: '+14155550123', body: 'ok', sessionId: 's\u0000' }] }),
      await request(server).get('/api/v1/sessions/a%00b').set(headers),
      await request(server).get('/api/v1/messages?peer=%00').set(headers),
      await request(server).delete('/api/v1/groups/%00/members/me').set(headers),
    ];
    expect(answers.map(({ status, body }) => `${status} ${body.code}`)).toEqual(
      Array(answers.length).fill('400 NUL_CHARACTER'),
    );
    expect(await countStored()).toBe(storedBefore);
  });

  it('answers a body over 100 kB with 413', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/me')
      .set(headers)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(110_000) }));
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown route with 404 problem details', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/nothing-here').set(headers);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('NOT_FOUND');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await request(app.getHttpServer()).get('/health').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app.getHttpServer())
      .get('/health')
      .set('X-Request-Id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers (helmet)', async () => {
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('publishes OpenAPI with both auth schemes and the account endpoint', async () => {
    const response = await request(app.getHttpServer()).get('/docs-json');
    expect(response.status).toBe(200);
    expect(response.body.info.title).toBe('Switchboard');
    expect(response.body.paths['/api/v1/me']).toBeDefined();
    expect(Object.keys(response.body.components.securitySchemes).sort()).toEqual([
      'api-key',
      'bearer',
      'client-api-basic',
      // The web app's refresh cookie, for /auth/refresh and /auth/logout only.
      'switchboard_refresh',
    ]);
    const ui = await request(app.getHttpServer()).get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('sends a visitor of / to the documentation, without asking for a credential', async () => {
    const home = await request(app.getHttpServer()).get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/docs');
    const docs = await request(app.getHttpServer()).get(home.headers.location);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    const document = (await request(app.getHttpServer()).get('/docs-json')).body as OpenApiDocument;
    expect(document.paths['/']).toBeUndefined();
  });

  it('documents every operation with a summary, a success answer and an example of every field', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json')).body as OpenApiDocument;
    const schemas = document.components.schemas;
    // The fields of a schema (followed through $ref, allOf and arrays) that show no example.
    const withoutExample = (schema: Schema, where: string, seen = new Set<string>()): string[] => {
      if (schema.example !== undefined || schema.enum) return [];
      if (schema.$ref) {
        const name = schema.$ref.split('/').pop()!;
        if (seen.has(name)) return [];
        return withoutExample(schemas[name], name, new Set([...seen, name]));
      }
      if (schema.allOf) return schema.allOf.flatMap((part) => withoutExample(part, where, seen));
      if (schema.items) return withoutExample(schema.items, `${where}[]`, seen);
      if (schema.properties) {
        return Object.entries(schema.properties).flatMap(([field, property]) =>
          withoutExample(property, `${where}.${field}`, seen),
        );
      }
      return [where];
    };
    const gaps: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary) gaps.push(`${name}: no summary`);
        const answers = Object.keys(operation.responses).filter((code) => /^[23]/.test(code));
        if (answers.length === 0) gaps.push(`${name}: no success answer`);
        const bodies = [
          operation.requestBody?.content?.['application/json'],
          ...answers.map((code) => operation.responses[code].content?.['application/json']),
        ];
        for (const body of bodies) {
          if (!body || body.example !== undefined) continue;
          gaps.push(...withoutExample(body.schema, name).map((field) => `${field}: no example`));
        }
      }
    }
    expect(gaps).toEqual([]);
  });
});
