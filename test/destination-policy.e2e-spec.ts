import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/core';
import { createAccount } from './helpers/account.factory';
import { uniqueIp, uniquePhone } from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';
import { TestClock } from './helpers/test-clock';

// Each a valid number of its kind (libphonenumber's full metadata).
const PREMIUM_RATE = '+19005550123';
const SHARED_COST = '+33810123456';
const TOLL_FREE = '+18005550123';
const GB_MOBILE = '+447400123456';
const OTHER_GB_MOBILE = '+447400123457';
const JAMAICA_MOBILE = '+18762345678';

describe('destination policy', () => {
  let app: NestExpressApplication;
  let headers: Record<string, string>;
  let accountId: string;

  const http = () => request(app.getHttpServer());
  const messagesTo = async (target: NestExpressApplication, phone: string): Promise<number> => {
    const [{ count }] = await target
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM messages WHERE to_number = $1`, [phone]);
    return count;
  };
  const outboundCount = async (): Promise<number> => {
    const [{ count }] = await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM messages WHERE account_id = $1`, [accountId]);
    return count;
  };

  beforeAll(async () => {
    app = await createTestApp();
    const account = await createAccount(app);
    ({ headers } = account);
    accountId = account.account.id;
  });
  afterAll(() => app.close());

  it('a premium-rate number is refused: 422 DESTINATION_NOT_ALLOWED, nothing stored', async () => {
    for (const [to, kind] of [
      [PREMIUM_RATE, 'premium-rate'],
      [SHARED_COST, 'shared-cost'],
      [TOLL_FREE, 'toll-free'],
    ]) {
      const refused = await http().post('/api/v1/messages').set(headers).send({ to, body: 'hi' });
      expect(refused.status).toBe(422);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).toMatchObject({
        code: 'DESTINATION_NOT_ALLOWED',
        errors: [{ field: 'to', code: 'DESTINATION_NOT_ALLOWED' }],
      });
      expect(refused.body.detail).toContain(kind);
      expect(await messagesTo(app, to)).toBe(0);
    }
    // Written as a person would, it is the same number.
    const formatted = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+1 (900) 555-0123', body: 'hi' });
    expect(formatted.body.code).toBe('DESTINATION_NOT_ALLOWED');
    expect(await outboundCount()).toBe(0);
  });

  it('refuses a whole batch for one such number, and conversation sends alike', async () => {
    const batch = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: [
          { to: uniquePhone(), body: 'fine' },
          { to: PREMIUM_RATE, body: 'not fine' },
        ],
      });
    expect(batch.status).toBe(422);
    expect(batch.body.code).toBe('DESTINATION_NOT_ALLOWED');
    expect(batch.body.errors).toEqual([
      expect.objectContaining({ field: 'messages[1].to', code: 'DESTINATION_NOT_ALLOWED' }),
    ]);
    const conversation = await http()
      .post(`/api/v1/conversations/${encodeURIComponent(TOLL_FREE)}/messages`)
      .set(headers)
      .send({ body: 'hi' });
    expect(conversation.status).toBe(422);
    expect(conversation.body.code).toBe('DESTINATION_NOT_ALLOWED');
    expect(await outboundCount()).toBe(0);
    await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: GB_MOBILE, body: 'a mobile anywhere is fine' })
      .expect(202);
  });

  it('texts no sign-in code to such a number, and counts nothing for it', async () => {
    const ip = uniqueIp();
    for (const path of ['otp', 'register']) {
      for (let i = 0; i < 4; i++) {
        const refused = await http()
          .post(`/api/v1/auth/${path}`)
          .set('X-Forwarded-For', ip)
          .send(path === 'otp' ? { phone: PREMIUM_RATE } : { phone: PREMIUM_RATE, name: 'Pump' });
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('DESTINATION_NOT_ALLOWED');
      }
    }
    expect(await messagesTo(app, PREMIUM_RATE)).toBe(0);
    // Eight refusals from one caller did not use up its 10 codes an hour.
    for (let i = 0; i < 3; i++) {
      await http()
        .post('/api/v1/auth/otp')
        .set('X-Forwarded-For', ip)
        .send({ phone: uniquePhone() })
        .expect(202);
    }
  });

  describe('with ALLOWED_DESTINATION_COUNTRIES=US', () => {
    let usOnly: NestExpressApplication;
    beforeAll(async () => {
      usOnly = await createTestApp({ ALLOWED_DESTINATION_COUNTRIES: 'US' });
    });
    afterAll(() => usOnly.close());

    it('sends within the US only (a Jamaican +1 number is not the US), codes included', async () => {
      const send = (to: string) =>
        request(usOnly.getHttpServer())
          .post('/api/v1/messages')
          .set(headers)
          .send({ to, body: 'hi' });
      await send(uniquePhone()).expect(202);
      for (const to of [OTHER_GB_MOBILE, JAMAICA_MOBILE]) {
        const refused = await send(to);
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('DESTINATION_NOT_ALLOWED');
        expect(refused.body.detail).toContain('not in an allowed destination country');
      }
      const code = await request(usOnly.getHttpServer())
        .post('/api/v1/auth/otp')
        .set('X-Forwarded-For', uniqueIp())
        .send({ phone: OTHER_GB_MOBILE });
      expect(code.status).toBe(422);
      expect(code.body.code).toBe('DESTINATION_NOT_ALLOWED');
      expect(await messagesTo(usOnly, OTHER_GB_MOBILE)).toBe(0);
      expect(await messagesTo(usOnly, JAMAICA_MOBILE)).toBe(0);
    });
  });

  it("caps one country's share of the day's sign-in codes, leaving the others theirs", async () => {
    const clock = new TestClock(new Date('2031-05-06T20:00:00.000Z'));
    // Its own Redis prefix: the day's counters are global to an install.
    const capped = await createTestApp(
      {
        AUTH_CODE_DAILY_CAP: '10',
        AUTH_CODE_DAILY_CAP_PER_COUNTRY: '2',
        REDIS_PREFIX: `${process.env.REDIS_PREFIX}-per-country`,
      },
      [{ provide: Clock, useValue: clock }],
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
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(refused.headers['retry-after']).toBe(String(4 * 60 * 60));
      expect(await messagesTo(capped, phone)).toBe(0);
      // Jamaica shares +1 with the US but is a country of its own; Britain is another.
      await ask(JAMAICA_MOBILE).expect(202);
      await ask(GB_MOBILE).expect(202);

      clock.advance(4 * 60 * 60 * 1000);
      await ask(phone).expect(202);
    } finally {
      await capped.close();
    }
  });
});
