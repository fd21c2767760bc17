import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { codeOfText, uniqueIp, uniquePhone } from './helpers/auth.factory';
import { eventually } from './helpers/eventually';
import { createTestApp, urlOf } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';
import { twilioEnv } from './helpers/twilio-env';

const POOL = ['+12015550100', '+12015550101'];

/** The "Done when" journey of phone sign-in, through HTTP and the fake Twilio only. */
describe('phone sign-in, as a new user meets it', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    app = await createTestApp(twilioEnv(fake, POOL));
    worker = await startTestWorker({ ...twilioEnv(fake, POOL), PUBLIC_BASE_URL: urlOf(app) });
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  async function codeTextedTo(phone: string, nth: number): Promise<string> {
    const texts = await eventually(
      async () => fake.messagesTo(phone),
      (messages) => messages.length >= nth,
    );
    expect(texts).toHaveLength(nth);
    const text = texts[nth - 1];
    expect(text.body).toMatch(/^Your Switchboard code is \d{6}\. It expires in 10 minutes\.$/);
    expect(POOL).toContain(text.from);
    return codeOfText(text.body)!;
  }

  it('register → SMS code → verify → /me → refresh rotates → reuse revokes the family → logout', async () => {
    const phone = uniquePhone();
    const ip = uniqueIp();

    const registered = await http()
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', ip)
      .send({ phone, name: 'Ada', password: 'correct horse battery staple' });
    expect(registered.status).toBe(202);
    expect(registered.body).toEqual({ status: 'code_sent', expiresIn: 600 });

    const code = await codeTextedTo(phone, 1);
    expect(code).toMatch(/^\d{6}$/);

    const verified = await http().post('/api/v1/auth/verify').send({ phone, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^sbr_/),
      expiresIn: 900,
      account: {
        id: expect.any(String),
        name: 'Ada',
        phone,
        phoneVerifiedAt: expect.any(String),
        hasPassword: true,
        createdAt: expect.any(String),
      },
    });
    const first = verified.body;

    const me = await http().get('/api/v1/me').set('Authorization', `Bearer ${first.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      ...first.account,
      limits: { perMinute: 10, perDay: 100 },
      usage: { today: 0, remainingToday: 100, resetsAt: expect.any(String) },
    });

    const refreshed = await http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    const second = refreshed.body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.account.id).toBe(first.account.id);
    const meAgain = await http()
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${second.accessToken}`);
    expect(meAgain.status).toBe(200);

    // The rotated-away token comes back: someone copied it. The whole session ends.
    const reused = await http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
    const familyGone = await http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: second.refreshToken });
    expect(familyGone.status).toBe(401);
    expect(familyGone.body.code).toBe('INVALID_REFRESH_TOKEN');
    const accessGone = await http()
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${second.accessToken}`);
    expect(accessGone.status).toBe(401);

    // Signing in again with a new code, then logging out, ends that session too.
    expect(
      (await http().post('/api/v1/auth/otp').set('X-Forwarded-For', ip).send({ phone })).status,
    ).toBe(202);
    const secondCode = await codeTextedTo(phone, 2);
    const again = await http().post('/api/v1/auth/verify').send({ phone, code: secondCode });
    expect(again.status).toBe(200);
    expect(again.body.account.id).toBe(first.account.id);

    const loggedOut = await http()
      .post('/api/v1/auth/logout')
      .send({ refreshToken: again.body.refreshToken });
    expect(loggedOut.status).toBe(204);
    expect(
      (await http().post('/api/v1/auth/refresh').send({ refreshToken: again.body.refreshToken }))
        .body.code,
    ).toBe('INVALID_REFRESH_TOKEN');
    expect(
      (await http().get('/api/v1/me').set('Authorization', `Bearer ${again.body.accessToken}`))
        .status,
    ).toBe(401);
  });

  it('refuses a 4th code in 15 minutes with 429 and Retry-After, and texts no 4th SMS', async () => {
    const phone = uniquePhone();
    for (let i = 0; i < 3; i++) {
      const sent = await http()
        .post('/api/v1/auth/otp')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone });
      expect(sent.status).toBe(202);
    }
    await codeTextedTo(phone, 3);

    const fourth = await http()
      .post('/api/v1/auth/otp')
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone });
    expect(fourth.status).toBe(429);
    expect(fourth.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // Nothing was stored for the worker to send, and nothing arrives.
    const [{ count }] = await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM messages WHERE to_number = $1`, [phone]);
    expect(count).toBe(3);
    // A text to the same phone sent after the refusal: had a 4th code been queued, it would have
    // gone out before this one.
    const { headers } = await createAccount(app);
    const later = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: phone, body: 'after the refusal' });
    expect(later.body.status).toBe('sent');
    const bodies = fake.messagesTo(phone).map((text) => text.body);
    expect(bodies).toHaveLength(4);
    expect(bodies.slice(0, 3).every((body) => codeOfText(body) !== undefined)).toBe(true);
    expect(bodies[3]).toBe('after the refusal');
  });

  it('does not keep the code in the database once it is sent', async () => {
    const phone = uniquePhone();
    await http().post('/api/v1/auth/otp').set('X-Forwarded-For', uniqueIp()).send({ phone });
    const code = await codeTextedTo(phone, 1);
    const dataSource = app.get(DataSource);
    const bodies = await eventually(
      async () =>
        (await dataSource.query(`SELECT body FROM messages WHERE to_number = $1`, [phone])) as {
          body: string;
        }[],
      (rows) => rows.length === 1 && !rows[0].body.includes(code),
    );
    expect(bodies.map((row) => row.body).join(' ')).not.toContain(code);
    const [stored] = await dataSource.query(`SELECT code_hash FROM auth_codes WHERE phone = $1`, [
      phone,
    ]);
    expect(stored.code_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
