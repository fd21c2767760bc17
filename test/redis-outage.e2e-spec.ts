import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { AccountSendLimitsService } from '@app/auth';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { PrivateRedis } from './helpers/private-redis';
import { TestStack, startStack } from './helpers/test-stack';

// A request that waited for Redis to come back would outlive this; the API answers long before.
const ANSWER_TIMEOUT_MS = 10_000;

describe('accepting messages while Redis is down', () => {
  let redis: PrivateRedis;
  let stack: TestStack;
  let app: NestExpressApplication;
  let fake: FakeTwilio;
  let redisDown = false;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stack = await startStack(undefined, { REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '500' });
    ({ app, fake } = stack);
  });
  afterAll(async () => {
    // Up again even when the test failed during the outage: closing waits for Redis.
    if (redisDown) await redis.start();
    await stack.close();
    await redis.stop();
  });

  it('answers 202 at once with the message committed, and sends it once Redis is back', async () => {
    const { headers } = await createAccount(app);
    const limited = await createAccount(app);
    await app.get(AccountSendLimitsService).set(limited.account.id, { perMinute: 100 });
    const http = () => request(app.getHttpServer());
    await redis.stop();
    redisDown = true;

    const single = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550161', body: 'Sent during the outage' })
      .timeout(ANSWER_TIMEOUT_MS);
    expect(single.status).toBe(202);
    const batch = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({ messages: [{ to: '+14155550162', body: 'Batched during the outage' }] })
      .timeout(ANSWER_TIMEOUT_MS);
    expect(batch.status).toBe(202);
    // An account with limits must not send uncounted: refused at once, nothing stored.
    const uncounted = await http()
      .post('/api/v1/messages')
      .set(limited.headers)
      .send({ to: '+14155550163', body: 'Would be uncounted' })
      .timeout(ANSWER_TIMEOUT_MS);
    expect(uncounted.status).toBe(503);
    expect(uncounted.body.code).toBe('SEND_QUOTA_UNAVAILABLE');
    expect(uncounted.headers['retry-after']).toBe('5');
    const ids = [single.body.id, batch.body.data[0].id];
    for (const id of ids) {
      const stored = await http().get(`/api/v1/messages/${id}`).set(headers);
      expect(stored.body.status).toBe('queued');
    }
    // The queue's gauge is missing meanwhile; the other metrics still answer.
    const metrics = await http().get('/metrics').timeout(ANSWER_TIMEOUT_MS);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('switchboard_unfinished_messages{status="queued"} 2');
    expect((await http().get('/api/v1/messages').set(limited.headers)).body.data).toEqual([]);

    await redis.start();
    redisDown = false;
    for (const id of ids) {
      await eventually(
        async () => (await http().get(`/api/v1/messages/${id}`).set(headers)).body,
        (message) => message.status === 'sent',
        20_000,
      );
    }
    expect(fake.messagesTo('+14155550161')).toHaveLength(1);
    expect(fake.messagesTo('+14155550162')).toHaveLength(1);
  });
});
