import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { TestStack, startStack } from './helpers/test-stack';

// Twilio answers 429 (20429) beyond an account's concurrency limit, and the worker runs more
// jobs at once than that: the Twilio route must queue its requests, not send them all.
describe('requests to Twilio in flight', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack(undefined, { WORKER_CONCURRENCY: '200' });
    ({ fake, app } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('stay at most 64 while 200 jobs run at once, and every message is sent once', async () => {
    const { headers } = await createAccount(app);
    fake.setLatency(300);
    const messages = Array.from({ length: 200 }, (_, i) => ({
      to: `+1415555${String(1000 + (i % 20))}`,
      body: `in flight ${i}`,
    }));
    const accepted = await request(app.getHttpServer())
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({ messages });
    expect(accepted.status).toBe(202);

    await fake.waitForMessages(200, 20_000);
    expect(fake.mostRequestsInFlight).toBe(64);
    expect(fake.duplicateBodies()).toEqual([]);
  });
});
