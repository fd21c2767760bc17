import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/core';
import { requestCodeFor, signUpWithPhone } from './helpers/auth.factory';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';
import { MINUTES, TestClock } from './helpers/test-clock';

const DAYS = 24 * 60 * MINUTES;

describe('sessions, tokens and the account of a phone user', () => {
  let app: NestExpressApplication;
  const clock = new TestClock();
  const http = () => request(app.getHttpServer());
  const me = (accessToken: string) =>
    http().get('/api/v1/me').set('Authorization', `Bearer ${accessToken}`);
  const refresh = (refreshToken: string) =>
    http().post('/api/v1/auth/refresh').send({ refreshToken });
  const login = (phone: string, password: string) =>
    http().post('/api/v1/auth/login').send({ phone, password });

  beforeAll(async () => {
    app = await createTestApp({}, [{ provide: Clock, useValue: clock }]);
  });
  afterAll(() => app.close());

  describe('access tokens', () => {
    it('last 15 minutes; the refresh token gets a new one after that', async () => {
      const user = await signUpWithPhone(app);
      clock.advance(15 * MINUTES - 1000);
      expect((await me(user.accessToken)).status).toBe(200);
      clock.advance(1000);
      const expired = await me(user.accessToken);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('UNAUTHENTICATED');
      expect(expired.headers['www-authenticate']).toContain('Bearer');

      const renewed = await refresh(user.refreshToken);
      expect(renewed.status).toBe(200);
      expect((await me(renewed.body.accessToken)).status).toBe(200);
    });

    it('are refused when tampered with', async () => {
      const user = await signUpWithPhone(app);
      const [header, claims, signature] = user.accessToken.split('.');
      const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      expect((await me(`${header}.${claims}.${flipped}`)).status).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    it('expire after 30 days unused, each rotation starting the period again', async () => {
      const user = await signUpWithPhone(app);
      clock.advance(29 * DAYS);
      const rotated = await refresh(user.refreshToken);
      expect(rotated.status).toBe(200);
      clock.advance(29 * DAYS);
      const again = await refresh(rotated.body.refreshToken);
      expect(again.status).toBe(200);
      clock.advance(30 * DAYS);
      const expired = await refresh(again.body.refreshToken);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('are stored only as hashes, one session row per sign-in', async () => {
      const user = await signUpWithPhone(app);
      const rows = await app
        .get(DataSource)
        .query(`SELECT refresh_token_hash, revoked_at FROM auth_sessions WHERE account_id = $1`, [
          user.accountId,
        ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].refresh_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].refresh_token_hash).not.toContain(user.refreshToken);
    });

    it.each([
      ['garbage', 'not-a-token'],
      ['an unknown session', 'sbr_5b7e2c1a-3f4d-4e8a-9c0b-1d2e3f4a5b6c.' + 'a'.repeat(43)],
    ])('refuses %s', async (_label, refreshToken) => {
      const answer = await refresh(refreshToken);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('cannot be used as an access token, nor an access token as a refresh token', async () => {
      const user = await signUpWithPhone(app);
      expect((await me(user.refreshToken)).status).toBe(401);
      expect((await refresh(user.accessToken)).status).toBe(401);
    });

    it('rotate once even when the same token is sent twice at the same moment', async () => {
      const user = await signUpWithPhone(app);
      const answers = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    });
  });

  describe('logout', () => {
    it('ends the session and is fine to repeat, but not with a token that never was', async () => {
      const user = await signUpWithPhone(app);
      const other = await signUpWithPhone(app);
      const logout = (refreshToken: string) =>
        http().post('/api/v1/auth/logout').send({ refreshToken });
      expect((await logout(user.refreshToken)).status).toBe(204);
      expect((await logout(user.refreshToken)).status).toBe(204);
      expect((await me(user.accessToken)).status).toBe(401);
      expect((await logout('sbr_nothing')).status).toBe(401);
      // Other sessions are not touched.
      expect((await me(other.accessToken)).status).toBe(200);
    });

    it('needs the refresh token in the body, and nothing else', async () => {
      const user = await signUpWithPhone(app);
      const answer = await http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: user.refreshToken, accountId: user.accountId });
      expect(answer.status).toBe(400);
    });
  });

  describe('PATCH /me', () => {
    it('renames the account', async () => {
      const user = await signUpWithPhone(app, { name: 'Before' });
      const renamed = await http().patch('/api/v1/me').set(user.headers).send({ name: ' After ' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id: user.accountId, name: 'After', phone: user.phone });
      expect((await me(user.accessToken)).body.name).toBe('After');
    });

    it.each([
      ['phone', { phone: '+14155550100' }],
      ['verified', { verified: true }],
      ['accountId', { accountId: '0b9f3f0e-4a8e-4d35-9a0e-2f1c3b7d9e10' }],
      ['passwordHash', { passwordHash: '$argon2id$...' }],
    ])('refuses the field %s with 400', async (_field, body) => {
      const user = await signUpWithPhone(app);
      const answer = await http().patch('/api/v1/me').set(user.headers).send(body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    });

    it('changes the password only with the current one, and ends the other sessions', async () => {
      const user = await signUpWithPhone(app, { password: 'the first password' });
      const elsewhere = await login(user.phone, 'the first password');
      expect(elsewhere.status).toBe(200);

      const unproven = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'the second password' });
      expect(unproven.status).toBe(403);
      expect(unproven.body.code).toBe('REAUTHENTICATION_REQUIRED');

      const wrong = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'the second password', currentPassword: 'not the password' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

      const changed = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'the second password', currentPassword: 'the first password' });
      expect(changed.status).toBe(200);
      expect(changed.body.hasPassword).toBe(true);

      // The session that changed it goes on; the other one is over.
      expect((await me(user.accessToken)).status).toBe(200);
      expect((await refresh(user.refreshToken)).status).toBe(200);
      expect((await me(elsewhere.body.accessToken)).status).toBe(401);
      expect((await refresh(elsewhere.body.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');

      expect((await login(user.phone, 'the first password')).status).toBe(401);
      expect((await login(user.phone, 'the second password')).status).toBe(200);
    });

    it('sets a first password with a fresh code', async () => {
      const user = await signUpWithPhone(app);
      const code = await requestCodeFor(app, user.phone);
      const badCode = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'a brand new password', code: code === '000000' ? '000001' : '000000' });
      expect(badCode.status).toBe(403);
      expect(badCode.body.code).toBe('INVALID_CODE');

      const set = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'a brand new password', code });
      expect(set.status).toBe(200);
      expect(set.body.hasPassword).toBe(true);
      expect((await login(user.phone, 'a brand new password')).status).toBe(200);
      // The code is used up.
      const reused = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'yet another password', code });
      expect(reused.body.code).toBe('INVALID_CODE');
    });

    it('refuses a password too short or too long', async () => {
      const user = await signUpWithPhone(app, { password: 'the first password' });
      for (const password of ['short', 'x'.repeat(129)]) {
        const answer = await http()
          .patch('/api/v1/me')
          .set(user.headers)
          .send({ password, currentPassword: 'the first password' });
        expect(answer.status).toBe(400);
      }
    });

    it('works for API-key accounts, which keep their shape and cannot have a password', async () => {
      const account = await createAccount(app, 'Server');
      const renamed = await http()
        .patch('/api/v1/me')
        .set(account.headers)
        .send({ name: 'Renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({
        id: account.account.id,
        name: 'Renamed',
        createdAt: expect.any(String),
      });
      const password = await http()
        .patch('/api/v1/me')
        .set(account.headers)
        .send({ password: 'a fine password', currentPassword: 'whatever' });
      expect(password.status).toBe(422);
      expect(password.body.code).toBe('PHONE_REQUIRED');
    });
  });
});
