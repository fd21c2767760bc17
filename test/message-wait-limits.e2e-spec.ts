import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { urlOf } from './helpers/test-app';
import { TestStack, startStack } from './helpers/test-stack';

const LIMIT = 3;
// Longer than the test: only a release can free a slot, never the wait's own timeout.
const HELD_WAIT_SECONDS = 30;

describe('POST /messages?wait= requests held open by one account', () => {
  let stack: TestStack;
  let app: NestExpressApplication;
  const holds: AbortController[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    stack = await startStack(undefined, { MESSAGE_WAIT_MAX_PER_ACCOUNT: String(LIMIT) });
    app = stack.app;
  });
  afterAll(async () => {
    for (const hold of holds) hold.abort();
    await stack.close();
  });

  /** A ?wait request that stays open: its message is scheduled for later, so it never settles. */
  const holdWait = (headers: Record<string, string>, to: string) => {
    const controller = new AbortController();
    holds.push(controller);
    const answer = fetch(`${urlOf(app)}/api/v1/messages?wait=${HELD_WAIT_SECONDS}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        to,
        body: 'Held open',
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      signal: controller.signal,
    }).catch(() => undefined);
    return { controller, answer };
  };
  const storedFor = async (headers: Record<string, string>) =>
    (await http().get('/api/v1/messages').set(headers)).body.data as Array<{ body: string }>;

  it('refuses one more with 429 and stores nothing, frees a slot when a client leaves, and never counts other accounts', async () => {
    const { headers } = await createAccount(app);
    const held = [];
    for (let index = 0; index < LIMIT; index++) held.push(holdWait(headers, `+1415555017${index}`));
    const stored = await eventually(
      () => storedFor(headers),
      (rows) => rows.length === LIMIT,
    );
    expect(stored).toHaveLength(LIMIT);

    const refused = await http()
      .post('/api/v1/messages?wait=5')
      .set(headers)
      .send({ to: '+14155550179', body: 'One wait too many' });
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_WAITING_REQUESTS', limit: LIMIT });
    expect((await storedFor(headers)).map((row) => row.body)).not.toContain('One wait too many');

    // Without ?wait the account sends as before; another account waits as before.
    const unwaited = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550178', body: 'Not waiting' });
    expect(unwaited.status).toBe(202);
    const other = await createAccount(app);
    const othersWait = await http()
      .post('/api/v1/messages?wait=10')
      .set(other.headers)
      .send({ to: '+14155550177', body: 'Another account waits' });
    expect(othersWait.status).toBe(200);
    expect(othersWait.body.status).toBe('sent');

    // A client that hangs up gives its slot back at once, not when its wait would have ended.
    held[0].controller.abort();
    await held[0].answer;
    const afterLeave = await eventually(
      () =>
        http()
          .post('/api/v1/messages?wait=10')
          .set(headers)
          .send({ to: '+14155550176', body: 'Waits once a slot is free' }),
      (response) => response.status !== 429,
      5000,
      200,
    );
    expect(afterLeave.status).toBe(200);
    expect(afterLeave.body.status).toBe('sent');
  });
});
