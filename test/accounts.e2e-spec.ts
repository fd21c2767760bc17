import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '@app/auth';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';

describe('GET /api/v1/me with API keys', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('answers the account of a valid key, in either header', async () => {
    const acme = await createAccount(app, 'Acme');
    const byHeader = await request(app.getHttpServer())
      .get('/api/v1/me')
      .set('X-API-Key', acme.key);
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toEqual({
      id: acme.account.id,
      name: 'Acme',
      createdAt: expect.any(String),
      // An operator's account: unlimited by default, so nothing is counted.
      limits: { perMinute: null, perDay: null },
      usage: { today: null, remainingToday: null, resetsAt: expect.any(String) },
    });
    const byBearer = await request(app.getHttpServer())
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${acme.key}`);
    expect(byBearer.body.id).toBe(acme.account.id);
  });

  it('tells two accounts apart', async () => {
    const first = await createAccount(app);
    const second = await createAccount(app);
    const answer = await request(app.getHttpServer()).get('/api/v1/me').set(second.headers);
    expect(answer.body.id).toBe(second.account.id);
    expect(answer.body.id).not.toBe(first.account.id);
  });

  it.each([
    ['no credential', {}],
    ['a wrong key', { 'X-API-Key': 'sb_not-a-real-key-at-all-000000000000' }],
    ['garbage', { Authorization: 'Bearer x' }],
  ])('answers %s with 401 problem details', async (_label, headers) => {
    const response = await request(app.getHttpServer()).get('/api/v1/me').set(headers);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a revoked key at once', async () => {
    const acme = await createAccount(app);
    expect((await request(app.getHttpServer()).get('/api/v1/me').set(acme.headers)).status).toBe(
      200,
    );
    await app.get(ApiKeysService).revoke(acme.account.id, acme.apiKey.id);
    expect((await request(app.getHttpServer()).get('/api/v1/me').set(acme.headers)).status).toBe(
      401,
    );
  });

  it('stores only a hash of the key, and records when it was used', async () => {
    const acme = await createAccount(app);
    await request(app.getHttpServer()).get('/api/v1/me').set(acme.headers).expect(200);
    const dataSource = app.get(DataSource);
    const [row] = await dataSource.query(
      'SELECT prefix, key_hash, last_used_at FROM api_keys WHERE id = $1',
      [acme.apiKey.id],
    );
    expect(acme.key.startsWith(row.prefix)).toBe(true);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(acme.key);
    // last_used_at is written in the background; give it a moment.
    const deadline = Date.now() + 5000;
    let lastUsed = row.last_used_at;
    while (!lastUsed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      [{ last_used_at: lastUsed }] = await dataSource.query(
        'SELECT last_used_at FROM api_keys WHERE id = $1',
        [acme.apiKey.id],
      );
    }
    expect(lastUsed).toBeInstanceOf(Date);
  });
});
