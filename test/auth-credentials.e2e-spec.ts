import { randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { ApiKeysService } from '@app/auth';
import { Clock } from '@app/core';
import { createAccount } from './helpers/account.factory';
import { SignedInUser, signUpWithPhone, uniqueIp } from './helpers/auth.factory';
import { EventsClient } from './helpers/events-client';
import { createTestApp } from './helpers/test-app';
import { MINUTES, TestClock } from './helpers/test-clock';

const PASSWORD = 'correct horse battery staple';

function sessionIdOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
}

/** Tokens, keys and the sockets opened with them, as an attacker would try to misuse them. */
describe('credentials', () => {
  // Two API instances on one Redis and one database, as behind a load balancer.
  let app: NestExpressApplication;
  let other: NestExpressApplication;
  const clock = new TestClock();
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({}, [{ provide: Clock, useValue: clock }]);
    other = await createTestApp({}, [{ provide: Clock, useValue: clock }]);
  });
  afterAll(async () => {
    await other.close();
    await app.close();
  });

  describe('an access token', () => {
    it("is refused when it names one account and another account's session", async () => {
      const victim = await signUpWithPhone(app);
      const attacker = await signUpWithPhone(app);
      // Signed with the real secret: only the pairing of subject and session is wrong.
      const forged = app.get(JwtService).sign({
        sub: victim.accountId,
        sid: sessionIdOf(attacker.accessToken),
        jti: randomUUID(),
      });
      const answer = await http().get('/api/v1/me').set('Authorization', `Bearer ${forged}`);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
      // The genuine tokens still work (and the cache did not learn the wrong pairing).
      expect((await http().get('/api/v1/me').set(attacker.headers)).body.id).toBe(
        attacker.accountId,
      );
      const again = await http().get('/api/v1/me').set('Authorization', `Bearer ${forged}`);
      expect(again.status).toBe(401);
    });
  });

  describe('a refresh token', () => {
    it('that was never issued does not end the session it names', async () => {
      const victim = await signUpWithPhone(app);
      const made = `sbr_${sessionIdOf(victim.accessToken)}.${randomBytes(32).toString('base64url')}`;
      for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
        const answer = await http().post(path).send({ refreshToken: made });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({
          path,
          status: 401,
          code: 'INVALID_REFRESH_TOKEN',
        });
      }
      expect((await http().get('/api/v1/me').set(victim.headers)).status).toBe(200);
      const refreshed = await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: victim.refreshToken });
      expect(refreshed.status).toBe(200);
    });

    it('issued and rotated away, even generations ago, still ends its session when it returns', async () => {
      const user = await signUpWithPhone(app);
      const stolen = user.refreshToken;
      let current = stolen;
      for (let i = 0; i < 3; i++) {
        const rotated = await http().post('/api/v1/auth/refresh').send({ refreshToken: current });
        expect(rotated.status).toBe(200);
        current = rotated.body.refreshToken;
      }
      const reused = await http().post('/api/v1/auth/refresh').send({ refreshToken: stolen });
      expect(reused.status).toBe(401);
      expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
      const ended = await http().post('/api/v1/auth/refresh').send({ refreshToken: current });
      expect(ended.body.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('creating an API key', () => {
    const create = (headers: Record<string, string>) =>
      http().post('/api/v1/api-keys').set(headers).send({ name: 'deploy bot' });

    it('works within 5 minutes of a sign-in, not after', async () => {
      const user = await signUpWithPhone(app, { password: PASSWORD });
      expect((await create(user.headers)).status).toBe(201);
      clock.advance(5 * MINUTES + 1000);
      // The access token is still valid (15 minutes), but the proof behind it is stale.
      expect((await http().get('/api/v1/me').set(user.headers)).status).toBe(200);
      const stale = await create(user.headers);
      expect(stale.status).toBe(403);
      expect(stale.body.code).toBe('REAUTHENTICATION_REQUIRED');

      const again = await http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: user.phone, password: PASSWORD });
      expect(again.status).toBe(200);
      expect((await create({ Authorization: `Bearer ${again.body.accessToken}` })).status).toBe(
        201,
      );
    });

    it('counts a password change as a fresh proof', async () => {
      const user = await signUpWithPhone(app, { password: PASSWORD });
      clock.advance(6 * MINUTES);
      expect((await create(user.headers)).status).toBe(403);
      await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'a newer passphrase', currentPassword: PASSWORD })
        .expect(200);
      expect((await create(user.headers)).status).toBe(201);
    });

    it('is refused to an API key, which cannot mint keys', async () => {
      const account = await createAccount(app);
      const answer = await create(account.headers);
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('REAUTHENTICATION_REQUIRED');
      const listed = await http().get('/api/v1/api-keys').set(account.headers);
      expect(listed.body.data).toHaveLength(1);
    });
  });

  describe('an /ws/events socket', () => {
    let user: SignedInUser;

    beforeEach(async () => {
      user = await signUpWithPhone(app);
    });

    it('of a revoked API key closes, whichever instance it is on', async () => {
      const account = await createAccount(app);
      const socket = await EventsClient.connect(other, { apiKey: account.key });
      await socket.waitFor((event) => event.type === 'ready');
      const bystander = await EventsClient.connect(other, { apiKey: account.key });
      await bystander.waitFor((event) => event.type === 'ready');

      await http().delete(`/api/v1/api-keys/${account.apiKey.id}`).set(account.headers).expect(204);
      expect(await socket.waitForClose(5000)).toBe(4003);
      expect(await bystander.waitForClose(5000)).toBe(4003);
    });

    it('of another key of the same account stays open', async () => {
      const account = await createAccount(app);
      const spare = await app.get(ApiKeysService).issue(account.account.id, 'spare');
      const staying = await EventsClient.connect(other, { apiKey: spare.key });
      const doomed = await EventsClient.connect(other, { apiKey: account.key });
      await staying.waitFor((event) => event.type === 'ready');
      await doomed.waitFor((event) => event.type === 'ready');
      await http()
        .delete(`/api/v1/api-keys/${account.apiKey.id}`)
        .set('X-API-Key', spare.key)
        .expect(204);
      expect(await doomed.waitForClose(5000)).toBe(4003);
      expect(staying.closeCode).toBeUndefined();
      staying.close();
    });

    it('of a session that logs out closes on every instance; other sessions stay', async () => {
      const second = await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken });
      const onOther = await EventsClient.connect(other, { token: second.body.accessToken });
      const onThis = await EventsClient.connect(app, { token: user.accessToken }, true);
      const elsewhere = await signUpWithPhone(app);
      const unrelated = await EventsClient.connect(other, { token: elsewhere.accessToken });
      for (const client of [onOther, onThis, unrelated]) {
        await client.waitFor((event) => event.type === 'ready');
      }

      await http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: second.body.refreshToken })
        .expect(204);
      expect(await onOther.waitForClose(5000)).toBe(4003);
      expect(await onThis.waitForClose(5000)).toBe(4003);
      expect(unrelated.closeCode).toBeUndefined();
      unrelated.close();
    });

    it('of a session ended by reuse of its refresh token closes', async () => {
      const socket = await EventsClient.connect(other, { token: user.accessToken });
      await socket.waitFor((event) => event.type === 'ready');
      await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken });
      const reused = await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken });
      expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
      expect(await socket.waitForClose(5000)).toBe(4003);
    });

    it('of another session closes when the password changes', async () => {
      const owner = await signUpWithPhone(app, { password: PASSWORD });
      const thief = await http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: owner.phone, password: PASSWORD });
      const stolen = await EventsClient.connect(other, { token: thief.body.accessToken });
      const own = await EventsClient.connect(other, { token: owner.accessToken });
      await stolen.waitFor((event) => event.type === 'ready');
      await own.waitFor((event) => event.type === 'ready');
      await http()
        .patch('/api/v1/me')
        .set(owner.headers)
        .send({ password: 'a newer passphrase', currentPassword: PASSWORD })
        .expect(200);
      expect(await stolen.waitForClose(5000)).toBe(4003);
      expect(own.closeCode).toBeUndefined();
      own.close();
    });

    it('closes when its access token expires', async () => {
      // 3 s of the token's 15 minutes are left when the socket opens.
      clock.advance(15 * MINUTES - 3000);
      const socket = await EventsClient.connect(app, { token: user.accessToken });
      await socket.waitFor((event) => event.type === 'ready');
      expect(await socket.waitForClose(5000)).toBe(4001);
    });
  });
});
