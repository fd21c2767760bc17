import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Clock } from '@app/core';
import {
  codeMessagesTo,
  requestCodeFor,
  signUpWithPhone,
  uniqueIp,
  uniquePhone,
} from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';
import { MINUTES, TestClock } from './helpers/test-clock';

const PASSWORD = 'correct horse battery staple';

/** Sign-in abuse as an attacker tries it: sprays, lock-outs, floods of hashes, common passwords. */
describe('sign-in abuse', () => {
  let app: NestExpressApplication;
  const clock = new TestClock();
  const http = () => request(app.getHttpServer());
  const login = (phone: string, password: string, ip: string) =>
    http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ phone, password });

  beforeAll(async () => {
    app = await createTestApp({}, [{ provide: Clock, useValue: clock }]);
  });
  afterAll(() => app.close());

  describe('failed passwords from one caller', () => {
    it('stop a password spray across phones after 10 in 15 minutes, whatever the phones', async () => {
      const attacker = uniqueIp();
      const victims = [
        (await signUpWithPhone(app, { password: PASSWORD })).phone,
        ...Array.from({ length: 10 }, () => uniquePhone()),
      ];
      for (const phone of victims.slice(1)) {
        expect((await login(phone, 'Summer2026!', attacker)).status).toBe(401);
      }
      // The 11th guess is refused before it is checked, even when it would have been right.
      const stopped = await login(victims[0], PASSWORD, attacker);
      expect(stopped.status).toBe(429);
      expect(stopped.body.code).toBe('RATE_LIMITED');
      const retryAfter = Number(stopped.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);

      // Everybody else signs in as before.
      expect((await login(victims[0], PASSWORD, uniqueIp())).status).toBe(200);
      clock.advance(15 * MINUTES);
      expect((await login(victims[1], 'Summer2026!', attacker)).status).toBe(401);
    });

    it('stop at 50 a day, however slowly they come', async () => {
      const attacker = uniqueIp();
      for (let i = 0; i < 50; i++) {
        if (i > 0 && i % 10 === 0) clock.advance(15 * MINUTES);
        expect((await login(uniquePhone(), `guess number ${i}`, attacker)).status).toBe(401);
      }
      clock.advance(15 * MINUTES);
      const stopped = await login(uniquePhone(), 'guess number 50', attacker);
      expect(stopped.status).toBe(429);
      expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(20 * 60 * 60);
    });

    it('count codes and passwords together, and the whole IPv6 /64 as one caller', async () => {
      const phones = Array.from({ length: 10 }, () => uniquePhone());
      for (const [i, phone] of phones.entries()) {
        const answer = await http()
          .post('/api/v1/auth/verify')
          .set('X-Forwarded-For', `2001:db8:77:1::${i + 1}`)
          .send({ phone, code: '123456' });
        expect(answer.status).toBe(401);
      }
      const stopped = await login(uniquePhone(), 'a guess', '2001:db8:77:1::ff');
      expect(stopped.status).toBe(429);
    });
  });

  describe("a victim's phone", () => {
    it('is not locked out by one attacker failing on purpose', async () => {
      const victim = await signUpWithPhone(app, { password: PASSWORD });
      const attacker = uniqueIp();
      for (let i = 0; i < 10; i++) {
        expect((await login(victim.phone, `not it ${i}`, attacker)).status).toBe(401);
      }
      expect((await login(victim.phone, `not it either`, attacker)).status).toBe(429);
      expect((await login(victim.phone, PASSWORD, uniqueIp())).status).toBe(200);
    });

    it('slows down guesses from many callers: 20 per 15 minutes, 100 a day, cleared by a success', async () => {
      const victim = await signUpWithPhone(app, { password: PASSWORD });
      const guess = (i: number) => login(victim.phone, `botnet guess ${i}`, uniqueIp());
      for (let i = 0; i < 20; i++) expect((await guess(i)).status).toBe(401);
      const slowed = await login(victim.phone, PASSWORD, uniqueIp());
      expect(slowed.status).toBe(429);
      expect(Number(slowed.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

      // After the wait the owner gets in, and that clears the count.
      clock.advance(15 * MINUTES);
      expect((await login(victim.phone, PASSWORD, uniqueIp())).status).toBe(200);
      for (let i = 0; i < 100; i++) {
        if (i > 0 && i % 20 === 0) clock.advance(15 * MINUTES);
        expect((await guess(i)).status).toBe(401);
      }
      clock.advance(15 * MINUTES);
      // 100 failures in a row: the ceiling, whatever the callers, until a day has passed.
      const capped = await login(victim.phone, PASSWORD, uniqueIp());
      expect(capped.status).toBe(429);
      expect(Number(capped.headers['retry-after'])).toBeGreaterThan(20 * 60 * 60);
      clock.advance(24 * 60 * MINUTES);
      expect((await login(victim.phone, PASSWORD, uniqueIp())).status).toBe(200);
    });
  });

  describe('every phone at once', () => {
    let capped: NestExpressApplication;
    const cappedClock = new TestClock();

    beforeAll(async () => {
      capped = await createTestApp({ AUTH_FAILED_SIGN_INS_PER_MINUTE: '5' }, [
        { provide: Clock, useValue: cappedClock },
      ]);
    });
    afterAll(() => capped.close());

    it('slows every sign-in for the rest of the minute once failures pass the ceiling', async () => {
      const user = await signUpWithPhone(capped, { password: PASSWORD });
      const loginThere = (phone: string, password: string) =>
        request(capped.getHttpServer())
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, password });
      for (let i = 0; i < 5; i++) {
        expect((await loginThere(uniquePhone(), 'spray from a botnet')).status).toBe(401);
      }
      const slowed = await loginThere(user.phone, PASSWORD);
      expect(slowed.status).toBe(429);
      expect(slowed.body.code).toBe('RATE_LIMITED');
      const retryAfter = Number(slowed.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);

      cappedClock.advance(1 * MINUTES);
      expect((await loginThere(user.phone, PASSWORD)).status).toBe(200);
    });
  });

  describe('password hashing', () => {
    let narrow: NestExpressApplication;

    beforeAll(async () => {
      narrow = await createTestApp({ ARGON2_MAX_CONCURRENT: '1', ARGON2_MAX_QUEUED: '1' });
    });
    afterAll(() => narrow.close());

    it('runs a bounded number of hashes; a flood of logins to unknown phones gets 503 beyond it', async () => {
      const flood = await Promise.all(
        Array.from({ length: 30 }, () =>
          request(narrow.getHttpServer())
            .post('/api/v1/auth/login')
            .set('X-Forwarded-For', uniqueIp())
            .send({ phone: uniquePhone(), password: 'any password at all' }),
        ),
      );
      const statuses = flood.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(2);
      const busy = flood.filter((answer) => answer.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy.length + statuses.filter((status) => status === 401).length).toBe(30);
      for (const answer of busy) {
        expect(answer.body.code).toBe('SERVER_BUSY');
        expect(answer.headers['retry-after']).toBe('1');
      }
    });
  });

  describe('common passwords', () => {
    it('are refused at registration, whatever their case, and no code is sent', async () => {
      for (const password of ['password', 'PassWord1', 'ILOVEYOU', 'qwertyuiop']) {
        const phone = uniquePhone();
        const answer = await http()
          .post('/api/v1/auth/register')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, name: 'Eve', password });
        expect({ password, status: answer.status, code: answer.body.code }).toEqual({
          password,
          status: 422,
          code: 'PASSWORD_TOO_COMMON',
        });
        expect(answer.body.errors).toEqual([
          expect.objectContaining({ field: 'password', code: 'PASSWORD_TOO_COMMON' }),
        ]);
        expect(await codeMessagesTo(app, phone)).toBe(0);
      }
    });

    it('are refused as a new password on PATCH /me, which keeps the old one', async () => {
      const user = await signUpWithPhone(app, { password: PASSWORD });
      const answer = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'Sunshine', currentPassword: PASSWORD });
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('PASSWORD_TOO_COMMON');
      expect((await login(user.phone, 'Sunshine', uniqueIp())).status).toBe(401);
      expect((await login(user.phone, PASSWORD, uniqueIp())).status).toBe(200);
    });

    it('are refused when set with a code too', async () => {
      const user = await signUpWithPhone(app);
      const code = await requestCodeFor(app, user.phone);
      const answer = await http()
        .patch('/api/v1/me')
        .set(user.headers)
        .send({ password: 'trustno1', code });
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('PASSWORD_TOO_COMMON');
    });
  });
});
