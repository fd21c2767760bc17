import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { Agent, Pool } from 'undici';
import { RouteRegistry } from '@app/messaging';
import { MAX_CONCURRENT_REQUESTS } from '@app/messaging/dispatch/twilio/undici-twilio-http-client';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { TestStack, startStack } from './helpers/test-stack';

const MESSAGES = 200;

// Twilio answers 429 (20429) beyond an account's concurrency limit, and the worker runs more
// jobs at once than that: the Twilio route must queue its requests, not send them all.
describe('requests to Twilio in flight', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;

  /** The worker's connection pool to the fake Twilio, as undici counts it (white box: no API shows it). */
  const twilioPool = async () => {
    const route = stack.worker.get(RouteRegistry, { strict: false }).get('twilio');
    const { agent } = (route as unknown as { httpClient: { agent: Agent } }).httpClient;
    // An Agent keeps a Pool per origin (a Client only when connections is 1).
    return agent.stats[fake.baseUrl] as Pool.PoolStats | undefined;
  };

  beforeAll(async () => {
    stack = await startStack(undefined, { WORKER_CONCURRENCY: String(MESSAGES) });
    ({ fake, app } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  it(`stay at most ${MAX_CONCURRENT_REQUESTS} while ${MESSAGES} jobs run at once, and every message is sent once`, async () => {
    expect(MESSAGES).toBeGreaterThan(MAX_CONCURRENT_REQUESTS);
    const { headers } = await createAccount(app);
    // Nothing is answered until the count is taken: the requests in flight can only grow, so
    // the count does not depend on how fast this machine sends or answers.
    fake.holdRequests();
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      to: `+1415555${String(1000 + (i % 20))}`,
      body: `in flight ${i}`,
    }));
    const accepted = await request(app.getHttpServer())
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({ messages });
    expect(accepted.status).toBe(202);

    await fake.waitForHeldRequests(MAX_CONCURRENT_REQUESTS, 30_000);
    // Every job has handed its request to the client (a request not yet there could still
    // arrive): the ones Twilio does not hold wait in the pool's queue, not on the wire.
    const pool = await eventually(twilioPool, (stats) => stats?.size === MESSAGES, 30_000);
    expect(pool?.queued).toBe(MESSAGES - MAX_CONCURRENT_REQUESTS);
    expect(fake.requestsHeld).toBe(MAX_CONCURRENT_REQUESTS);
    expect(fake.mostRequestsInFlight).toBe(MAX_CONCURRENT_REQUESTS);

    fake.releaseRequests();
    await fake.waitForMessages(MESSAGES, 30_000);
    expect(fake.mostRequestsInFlight).toBe(MAX_CONCURRENT_REQUESTS);
    expect(fake.duplicateBodies()).toEqual([]);
  });
});
