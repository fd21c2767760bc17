import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT, RedisKeys } from '@app/core';
import { FakeTwilio } from './fakes/fake-twilio';
import { codeOfText, uniqueIp, uniquePhone } from './helpers/auth.factory';
import { eventually } from './helpers/eventually';
import { TestStack, startStack } from './helpers/test-stack';

const SIX_DIGITS = /\d{6}/;

/**
 * Someone who can read the messages table, listen to Redis, or call the API must not learn a
 * sign-in code: only the phone it is texted to does.
 */
describe('a sign-in code is neither stored nor broadcast in clear', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  let listener: Redis;
  /** Every payload published on any event channel of this run. */
  const published: string[] = [];

  const http = () => request(app.getHttpServer());
  const rowsTo = (phone: string): Promise<Array<Record<string, unknown>>> =>
    app.get(DataSource).query('SELECT * FROM messages WHERE to_number = $1', [phone]);

  beforeAll(async () => {
    stack = await startStack(['+12015550100']);
    ({ fake, app } = stack);
    listener = app.get<Redis>(REDIS_CLIENT).duplicate();
    listener.on('pmessage', (_pattern, _channel, payload: string) => published.push(payload));
    await listener.psubscribe(app.get(RedisKeys).key('events', '*'));
  });
  afterAll(async () => {
    listener.disconnect();
    await stack.close();
  });

  it('texts the real code, which signs in, while the row, the events and the API show none', async () => {
    const phone = uniquePhone();
    const ip = uniqueIp();
    await http().post('/api/v1/auth/otp').set('X-Forwarded-For', ip).send({ phone }).expect(202);
    const [accepted] = await rowsTo(phone);
    expect(accepted.body).not.toMatch(SIX_DIGITS);
    expect(accepted.body).toBe('Your Switchboard code is ••••••. It expires in 10 minutes.');

    const [text] = await eventually(
      async () => fake.messagesTo(phone),
      (texts) => texts.length === 1,
    );
    const code = codeOfText(text.body)!;
    expect(text.body).toBe(`Your Switchboard code is ${code}. It expires in 10 minutes.`);
    const [sent] = await eventually(
      () => rowsTo(phone),
      (rows) => rows[0]?.status === 'sent',
    );
    expect(JSON.stringify(sent)).not.toContain(code);
    expect(sent.sealed_body).toBeNull();
    expect(sent.body).toBe('Your Switchboard code is ••••••. It expires in 10 minutes.');

    // Both events of the code message went out (created, then updated), neither with the code.
    const aboutIt = await eventually(
      async () => published.filter((payload) => payload.includes(sent.id as string)),
      (payloads) => payloads.some((payload) => payload.includes('"status":"sent"')),
    );
    expect(aboutIt.join('\n')).toContain('message.created');
    for (const payload of aboutIt) {
      expect(payload).not.toContain(code);
      for (const event of JSON.parse(payload) as Array<{ data: { body?: string } }>) {
        if (event.data.body !== undefined) expect(event.data.body).not.toMatch(SIX_DIGITS);
      }
    }

    const verified = await http()
      .post('/api/v1/auth/verify')
      .set('X-Forwarded-For', ip)
      .send({ phone, code });
    expect(verified.status).toBe(200);
    const list = await http()
      .get('/api/v1/messages')
      .set({ Authorization: `Bearer ${verified.body.accessToken}` });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(code);
  });

  it('forgets the sealed text of a code the carrier refused', async () => {
    fake.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not valid." });
    const phone = uniquePhone();
    await http()
      .post('/api/v1/auth/otp')
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone })
      .expect(202);
    const [failed] = await eventually(
      () => rowsTo(phone),
      (rows) => rows[0]?.status === 'failed',
    );
    expect(failed).toMatchObject({ error_code: '21211', sealed_body: null });
    expect(failed.body).not.toMatch(SIX_DIGITS);
  });
});
