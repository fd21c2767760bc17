import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { requestCodeFor, signUpWithPhone, verifyWithLastCode } from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';

/** POST /me/sessions/end-others: "sign out everywhere else", from the Account page. */
describe('signing out the other sessions', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const me = (accessToken: string) =>
    http().get('/api/v1/me').set('Authorization', `Bearer ${accessToken}`);
  const refresh = (refreshToken: string) =>
    http().post('/api/v1/auth/refresh').send({ refreshToken });
  const endOthers = (headers: Record<string, string>) =>
    http().post('/api/v1/me/sessions/end-others').set(headers);

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('ends every other session of the account, keeping the caller and other accounts', async () => {
    const laptop = await signUpWithPhone(app);
    await requestCodeFor(app, laptop.phone);
    const phone = await verifyWithLastCode(app, laptop.phone);
    await requestCodeFor(app, laptop.phone);
    const tablet = await verifyWithLastCode(app, laptop.phone);
    const stranger = await signUpWithPhone(app);

    const answer = await endOthers(laptop.headers);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ended: 2 });

    for (const other of [phone, tablet]) {
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await refresh(other.refreshToken)).status).toBe(401);
    }
    expect((await me(laptop.accessToken)).status).toBe(200);
    expect((await refresh(laptop.refreshToken)).status).toBe(200);
    expect((await me(stranger.accessToken)).status).toBe(200);

    // Nothing else to end: still fine.
    expect((await endOthers(laptop.headers)).body).toEqual({ ended: 0 });
  });

  it('refuses an API key (403 SESSION_REQUIRED), ending nothing', async () => {
    const user = await signUpWithPhone(app);
    const created = await http()
      .post('/api/v1/api-keys')
      .set(user.headers)
      .send({ name: 'script' });
    expect(created.status).toBe(201);

    const answer = await endOthers({ 'X-API-Key': created.body.key });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('SESSION_REQUIRED');
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect((await me(user.accessToken)).status).toBe(200);
  });

  it('needs a credential (401)', async () => {
    expect((await http().post('/api/v1/me/sessions/end-others')).status).toBe(401);
  });
});
