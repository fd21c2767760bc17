import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/core';
import {
  codeMessagesTo,
  codeOfSealedText,
  lastCodeSentTo,
  signUpWithPhone,
  uniqueIp,
  uniquePhone,
} from './helpers/auth.factory';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';
import { MINUTES, TestClock } from './helpers/test-clock';

/** A different wrong code: the right one with its first digit changed. */
function wrong(code: string, variant = 1): string {
  return `${(Number(code[0]) + variant) % 10}${code.slice(1)}`;
}

describe('sign-in codes, registration and passwords', () => {
  let app: NestExpressApplication;
  const clock = new TestClock();
  const http = () => request(app.getHttpServer());

  const requestCode = (phone: string, ip = uniqueIp()) =>
    http().post('/api/v1/auth/otp').set('X-Forwarded-For', ip).send({ phone });
  const verify = (phone: string, code: string) =>
    http().post('/api/v1/auth/verify').set('X-Forwarded-For', uniqueIp()).send({ phone, code });

  beforeAll(async () => {
    app = await createTestApp({}, [{ provide: Clock, useValue: clock }]);
  });
  afterAll(() => app.close());

  describe('a code', () => {
    it('is dead after 5 wrong guesses: the 6th guess fails even with the right code', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const code = await lastCodeSentTo(app, phone);
      for (let guess = 1; guess <= 5; guess++) {
        const answer = await verify(phone, wrong(code, guess));
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('INVALID_CODE');
      }
      const right = await verify(phone, code);
      expect(right.status).toBe(401);
      expect(right.body.code).toBe('INVALID_CODE');
    });

    it('fails on the 7th try after 6 wrong guesses, even with the right code', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const code = await lastCodeSentTo(app, phone);
      for (let guess = 1; guess <= 6; guess++) await verify(phone, wrong(code, guess)).expect(401);
      expect((await verify(phone, code)).body.code).toBe('INVALID_CODE');
    });

    it('still works after 4 wrong guesses', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const code = await lastCodeSentTo(app, phone);
      for (let guess = 1; guess <= 4; guess++) await verify(phone, wrong(code, guess)).expect(401);
      expect((await verify(phone, code)).status).toBe(200);
    });

    it('works until 10 minutes have passed, not after', async () => {
      const early = uniquePhone();
      await requestCode(early).expect(202);
      const earlyCode = await lastCodeSentTo(app, early);
      clock.advance(10 * MINUTES - 1000);
      expect((await verify(early, earlyCode)).status).toBe(200);

      const late = uniquePhone();
      await requestCode(late).expect(202);
      const lateCode = await lastCodeSentTo(app, late);
      clock.advance(10 * MINUTES);
      const refused = await verify(late, lateCode);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'INVALID_CODE', status: 401 });
    });

    it('works once', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const code = await lastCodeSentTo(app, phone);
      expect((await verify(phone, code)).status).toBe(200);
      expect((await verify(phone, code)).body.code).toBe('INVALID_CODE');
    });

    it('stops working when a new one is requested', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const old = await lastCodeSentTo(app, phone);
      await requestCode(phone).expect(202);
      const current = await lastCodeSentTo(app, phone);
      if (old !== current) expect((await verify(phone, old)).body.code).toBe('INVALID_CODE');
      expect((await verify(phone, current)).status).toBe(200);
    });

    it('is texted as its own SMS to the phone, marked sensitive, owned by no account', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      const [row] = await app
        .get(DataSource)
        .query(
          `SELECT account_id, sensitive, route_requested, body, sealed_body FROM messages WHERE to_number = $1`,
          [phone],
        );
      expect(row).toMatchObject({ account_id: null, sensitive: true, route_requested: 'twilio' });
      // Shown masked; the real text travels sealed, for the worker.
      expect(row.body).toBe('Your Switchboard code is ••••••. It expires in 10 minutes.');
      expect(codeOfSealedText(row.sealed_body, phone)).toMatch(/^\d{6}$/);
    });

    it('signs a new phone up without a name when asked for by /otp', async () => {
      const user = await (async () => {
        const phone = uniquePhone();
        await requestCode(phone).expect(202);
        return verify(phone, await lastCodeSentTo(app, phone));
      })();
      expect(user.status).toBe(200);
      expect(user.body.account).toMatchObject({ name: '', hasPassword: false });
    });
  });

  describe('registration', () => {
    it('answers a known and an unknown phone identically', async () => {
      const known = await signUpWithPhone(app, { name: 'Known' });
      const unknown = uniquePhone();
      const ask = (phone: string) =>
        http()
          .post('/api/v1/auth/register')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, name: 'Someone', password: 'a fine password' });
      const [forKnown, forUnknown] = [await ask(known.phone), await ask(unknown)];
      expect(forKnown.status).toBe(202);
      expect(forUnknown.status).toBe(forKnown.status);
      expect(forUnknown.body).toEqual(forKnown.body);
      const comparable = (headers: Record<string, string>) => {
        const { date: _date, 'x-request-id': _id, etag: _etag, ...rest } = headers;
        return rest;
      };
      expect(comparable(forUnknown.headers)).toEqual(comparable(forKnown.headers));
      // Both phones are texted a code.
      expect(await codeMessagesTo(app, known.phone)).toBe(2);
      expect(await codeMessagesTo(app, unknown)).toBe(1);
    });

    it('signs a known phone in and leaves its name and password alone', async () => {
      const known = await signUpWithPhone(app, {
        name: 'Original',
        password: 'the first password',
      });
      await http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: known.phone, name: 'Intruder', password: 'the intruder password' })
        .expect(202);
      const signedIn = await verify(known.phone, await lastCodeSentTo(app, known.phone));
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.account).toMatchObject({ id: known.accountId, name: 'Original' });
      const login = (password: string) =>
        http().post('/api/v1/auth/login').send({ phone: known.phone, password });
      expect((await login('the first password')).status).toBe(200);
      expect((await login('the intruder password')).status).toBe(401);
    });

    it('stores the password as an argon2id hash', async () => {
      const user = await signUpWithPhone(app, { password: 'correct horse battery staple' });
      const [row] = await app
        .get(DataSource)
        .query(`SELECT password_hash, phone_verified_at FROM accounts WHERE id = $1`, [
          user.accountId,
        ]);
      expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
      expect(row.password_hash).not.toContain('correct horse');
      expect(row.phone_verified_at).toBeInstanceOf(Date);
    });

    it('drops the password when another registration for the phone raced it', async () => {
      const phone = uniquePhone();
      const register = (password: string) =>
        http()
          .post('/api/v1/auth/register')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, name: 'Owner', password });
      await register('the owner password').expect(202);
      await register('a stranger password').expect(202);
      const signedIn = await verify(phone, await lastCodeSentTo(app, phone));
      expect(signedIn.body.account).toMatchObject({ name: 'Owner', hasPassword: false });
    });

    it('keeps the password when the same registration is sent again ("resend code")', async () => {
      const phone = uniquePhone();
      const register = () =>
        http()
          .post('/api/v1/auth/register')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, name: 'Owner', password: 'the owner password' });
      await register().expect(202);
      await register().expect(202);
      const signedIn = await verify(phone, await lastCodeSentTo(app, phone));
      expect(signedIn.body.account.hasPassword).toBe(true);
    });

    it.each([
      ['an extra field "verified"', { verified: true }],
      ['an extra field "accountId"', { accountId: '0b9f3f0e-4a8e-4d35-9a0e-2f1c3b7d9e10' }],
      ['a password of 7 characters', { password: '1234567' }],
      ['a password of 129 characters', { password: 'x'.repeat(129) }],
      ['an empty name', { name: '   ' }],
    ])('refuses %s with 400', async (_label, extra) => {
      const answer = await http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: uniquePhone(), name: 'Ada', ...extra });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    });

    it('refuses extra fields on verify and a code that is not 6 digits', async () => {
      const phone = uniquePhone();
      for (const body of [
        { phone, code: '123456', verified: true },
        { phone, code: '123456', accountId: 'x' },
        { phone, code: '12345' },
        { phone, code: '12345a' },
      ]) {
        const answer = await http().post('/api/v1/auth/verify').send(body);
        expect(answer.status).toBe(400);
      }
    });

    it('answers a phone number that is not one with 422', async () => {
      const answer = await requestCode('12345');
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('INVALID_PHONE_NUMBER');
    });
  });

  describe('code limits', () => {
    it('allows 3 codes per phone per 15 minutes, then again once the window has passed', async () => {
      const phone = uniquePhone();
      for (let i = 0; i < 3; i++) await requestCode(phone).expect(202);
      const refused = await requestCode(phone);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBe(15 * 60);
      expect(await codeMessagesTo(app, phone)).toBe(3);

      clock.advance(15 * MINUTES);
      await requestCode(phone).expect(202);
      expect(await codeMessagesTo(app, phone)).toBe(4);
    });

    it('counts register and /otp together', async () => {
      const phone = uniquePhone();
      await requestCode(phone).expect(202);
      await requestCode(phone).expect(202);
      await http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone, name: 'Ada' })
        .expect(202);
      expect((await requestCode(phone)).status).toBe(429);
    });

    it('allows 10 codes per caller address per hour, whichever the phones', async () => {
      const ip = uniqueIp();
      for (let i = 0; i < 10; i++) await requestCode(uniquePhone(), ip).expect(202);
      const phone = uniquePhone();
      const refused = await requestCode(phone, ip);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(59 * 60);
      expect(await codeMessagesTo(app, phone)).toBe(0);
      // Another address is not affected.
      await requestCode(phone).expect(202);
    });

    it('counts a whole IPv6 /64 as one caller', async () => {
      for (let i = 0; i < 10; i++) {
        await requestCode(uniquePhone(), `2001:db8:77:1::${i + 1}`).expect(202);
      }
      expect((await requestCode(uniquePhone(), '2001:db8:77:1:ffff::1')).status).toBe(429);
      expect((await requestCode(uniquePhone(), '2001:db8:77:2::1')).status).toBe(202);
    });

    it('stops sending codes at the daily cap until the next UTC day', async () => {
      const capClock = new TestClock(new Date('2030-03-14T22:00:00.000Z'));
      // Its own Redis prefix: the day's counter is global to an install.
      const capped = await createTestApp(
        { AUTH_CODE_DAILY_CAP: '2', REDIS_PREFIX: `${process.env.REDIS_PREFIX}-cap` },
        [{ provide: Clock, useValue: capClock }],
      );
      try {
        const ask = (phone: string) =>
          request(capped.getHttpServer())
            .post('/api/v1/auth/otp')
            .set('X-Forwarded-For', uniqueIp())
            .send({ phone });
        await ask(uniquePhone()).expect(202);
        await ask(uniquePhone()).expect(202);
        const phone = uniquePhone();
        const refused = await ask(phone);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBe(2 * 60 * 60);
        expect(await codeMessagesTo(capped, phone)).toBe(0);

        capClock.advance(2 * 60 * MINUTES);
        await ask(phone).expect(202);
      } finally {
        await capped.close();
      }
    });
  });

  describe('password login', () => {
    it('signs in with the right password and answers every wrong one alike', async () => {
      const user = await signUpWithPhone(app, { password: 'correct horse battery staple' });
      const withoutPassword = await signUpWithPhone(app);
      const login = (phone: string, password: string) =>
        http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone, password });

      const ok = await login(user.phone, 'correct horse battery staple');
      expect(ok.status).toBe(200);
      expect(ok.body.account.id).toBe(user.accountId);
      const me = await http()
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${ok.body.accessToken}`);
      expect(me.body.id).toBe(user.accountId);

      const refusals = [
        await login(user.phone, 'wrong horse battery staple'),
        await login(uniquePhone(), 'correct horse battery staple'),
        await login(withoutPassword.phone, 'correct horse battery staple'),
      ];
      for (const refusal of refusals) {
        expect(refusal.status).toBe(401);
        const { requestId: _requestId, ...body } = refusal.body;
        expect(body).toEqual({
          type: expect.stringContaining('invalid-credentials'),
          title: 'Unauthorized',
          status: 401,
          code: 'INVALID_CREDENTIALS',
          detail: 'The phone number or password is wrong.',
          instance: '/api/v1/auth/login',
        });
      }
    });

    it('refuses a phone after 20 failures in 15 minutes, even with the right password', async () => {
      const user = await signUpWithPhone(app, { password: 'correct horse battery staple' });
      // From a new address each time, as a botnet would: the per-caller limit does not apply.
      const login = (password: string) =>
        http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone: user.phone, password });
      for (let i = 0; i < 20; i++) expect((await login(`wrong password ${i}`)).status).toBe(401);
      const limited = await login('correct horse battery staple');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      clock.advance(15 * MINUTES);
      expect((await login('correct horse battery staple')).status).toBe(200);
    });

    it('counts wrong codes and wrong passwords against the same per-phone limit', async () => {
      const user = await signUpWithPhone(app, { password: 'correct horse battery staple' });
      for (let i = 0; i < 12; i++) {
        await http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone: user.phone, password: `wrong ${i}` })
          .expect(401);
      }
      // Two codes guessed wrong 4 times each: 20 failures, so even the right code is refused.
      let code = '';
      for (let round = 0; round < 2; round++) {
        await requestCode(user.phone).expect(202);
        code = await lastCodeSentTo(app, user.phone);
        for (let guess = 1; guess <= 4; guess++)
          await verify(user.phone, wrong(code, guess)).expect(401);
      }
      const limited = await verify(user.phone, code);
      expect(limited.status).toBe(429);
    });

    it('does not let an API-only account in by password', async () => {
      await createAccount(app);
      const answer = await http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: uniquePhone(), password: 'whatever it is' });
      expect(answer.status).toBe(401);
    });
  });
});
