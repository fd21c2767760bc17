import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { signUpWithPhone } from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';

describe('API key management', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('creates a key shown once, lists it without the key, and revokes it', async () => {
    const owner = await signUpWithPhone(app);
    const created = await http()
      .post('/api/v1/api-keys')
      .set(owner.headers)
      .send({ name: ' billing service ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'billing service',
      prefix: expect.stringMatching(/^sb_/),
      createdAt: expect.any(String),
      lastUsedAt: null,
      key: expect.stringMatching(/^sb_/),
    });
    const { key, id } = created.body;
    expect(key.startsWith(created.body.prefix)).toBe(true);

    const byKey = await http().get('/api/v1/me').set('X-API-Key', key);
    expect(byKey.status).toBe(200);
    expect(byKey.body.id).toBe(owner.accountId);

    const listed = await http().get('/api/v1/api-keys').set(owner.headers);
    expect(listed.status).toBe(200);
    expect(listed.body.nextCursor).toBeNull();
    expect(listed.body.data).toHaveLength(1);
    // lastUsedAt is written in the background, so it may or may not be there yet.
    const { lastUsedAt, ...listedKey } = listed.body.data[0];
    expect(listedKey).toEqual({
      id,
      name: 'billing service',
      prefix: created.body.prefix,
      createdAt: created.body.createdAt,
    });
    expect(lastUsedAt === null || typeof lastUsedAt === 'string').toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const revoked = await http().delete(`/api/v1/api-keys/${id}`).set(owner.headers);
    expect(revoked.status).toBe(204);
    expect((await http().get('/api/v1/me').set('X-API-Key', key)).status).toBe(401);
    expect((await http().get('/api/v1/api-keys').set(owner.headers)).body.data).toEqual([]);
    expect((await http().delete(`/api/v1/api-keys/${id}`).set(owner.headers)).status).toBe(404);
  });

  it("answers 404 for another account's key, which keeps working", async () => {
    const owner = await createAccount(app);
    const stranger = await signUpWithPhone(app);
    const answer = await http().delete(`/api/v1/api-keys/${owner.apiKey.id}`).set(stranger.headers);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('API_KEY_NOT_FOUND');
    expect((await http().get('/api/v1/me').set(owner.headers)).status).toBe(200);
    const strangersList = await http().get('/api/v1/api-keys').set(stranger.headers);
    expect(strangersList.body.data).toEqual([]);
  });

  it('answers 404 for an id that is not one', async () => {
    const owner = await createAccount(app);
    const answer = await http().delete('/api/v1/api-keys/not-a-uuid').set(owner.headers);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('API_KEY_NOT_FOUND');
  });

  it('lists keys page by page', async () => {
    const owner = await signUpWithPhone(app);
    for (const name of ['first', 'second', 'third']) {
      await http().post('/api/v1/api-keys').set(owner.headers).send({ name }).expect(201);
    }
    const first = await http().get('/api/v1/api-keys?limit=2').set(owner.headers);
    expect(first.body.data.map((key: { name: string }) => key.name)).toEqual(['third', 'second']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await http()
      .get(`/api/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`)
      .set(owner.headers);
    expect(second.body).toEqual({
      data: [expect.objectContaining({ name: 'first' })],
      nextCursor: null,
    });
    const badCursor = await http().get('/api/v1/api-keys?cursor=bm9wZQ').set(owner.headers);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('INVALID_CURSOR');
  });

  it('lets an API-key account list and revoke its keys', async () => {
    const owner = await createAccount(app);
    const listed = await http().get('/api/v1/api-keys').set(owner.headers);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: owner.apiKey.id })]);
    await http().delete(`/api/v1/api-keys/${owner.apiKey.id}`).set(owner.headers).expect(204);
    expect((await http().get('/api/v1/me').set(owner.headers)).status).toBe(401);
  });

  it.each([
    ['an extra field', { name: 'x', accountId: '0b9f3f0e-4a8e-4d35-9a0e-2f1c3b7d9e10' }],
    ['no name', {}],
    ['a blank name', { name: '  ' }],
  ])('refuses %s with 400', async (_label, body) => {
    const owner = await signUpWithPhone(app);
    const answer = await http().post('/api/v1/api-keys').set(owner.headers).send(body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });

  it('needs a credential', async () => {
    expect((await http().get('/api/v1/api-keys')).status).toBe(401);
    expect((await http().post('/api/v1/api-keys').send({ name: 'x' })).status).toBe(401);
  });

  it('caps the keys of one account at 100', async () => {
    const owner = await signUpWithPhone(app);
    const creations = Array.from({ length: 100 }, (_, i) =>
      http()
        .post('/api/v1/api-keys')
        .set(owner.headers)
        .send({ name: `key ${i}` }),
    );
    const statuses = (await Promise.all(creations)).map((answer) => answer.status);
    expect(statuses.every((status) => status === 201)).toBe(true);
    const over = await http()
      .post('/api/v1/api-keys')
      .set(owner.headers)
      .send({ name: 'one more' });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('API_KEY_LIMIT_REACHED');
  });
});

describe('OpenAPI of sign-in and key management', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('documents every endpoint, the sign-in ones as needing no credential', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json')).body;
    const operations: Record<string, string[]> = {
      '/api/v1/auth/register': ['post'],
      '/api/v1/auth/otp': ['post'],
      '/api/v1/auth/verify': ['post'],
      '/api/v1/auth/login': ['post'],
      '/api/v1/auth/refresh': ['post'],
      '/api/v1/auth/logout': ['post'],
      '/api/v1/me': ['get', 'patch'],
      '/api/v1/api-keys': ['get', 'post'],
      '/api/v1/api-keys/{id}': ['delete'],
    };
    for (const [path, methods] of Object.entries(operations)) {
      for (const method of methods) {
        const operation = document.paths[path]?.[method];
        expect({ path, method, summary: operation?.summary }).toEqual({
          path,
          method,
          summary: expect.any(String),
        });
        if (path.startsWith('/api/v1/auth/')) {
          // No credential; refresh and logout may present the web app's cookie instead of a body.
          const byCookie = path === '/api/v1/auth/refresh' || path === '/api/v1/auth/logout';
          expect(operation.security).toEqual(byCookie ? [{}, { switchboard_refresh: [] }] : []);
          // Nothing required: at most the web app's optional X-Switchboard-Client header.
          const required = (operation.parameters ?? []).filter(
            (parameter: { required?: boolean }) => parameter.required !== false,
          );
          expect(required).toEqual([]);
        }
      }
    }
    expect(document.components.schemas.TokensDto.properties.refreshToken.example).toMatch(/^sbr_/);
    const responses = (path: string, method: string) =>
      JSON.stringify(document.paths[path][method].responses);
    expect(responses('/api/v1/auth/register', 'post')).toContain('PASSWORD_TOO_COMMON');
    expect(responses('/api/v1/me', 'patch')).toContain('PASSWORD_TOO_COMMON');
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/me']) {
      const method = path === '/api/v1/me' ? 'patch' : 'post';
      expect(document.paths[path][method].responses['503'].description).toContain('SERVER_BUSY');
    }
    expect(document.paths['/api/v1/api-keys'].post.responses['403'].description).toContain(
      'REAUTHENTICATION_REQUIRED',
    );
  });
});
