import { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { WebhookSubscriptions } from '@app/webhooks/webhook-subscriptions';
import { createAccount } from './account.factory';
import { eventually } from './eventually';

/**
 * A new account with one webhook endpoint at `url` for `events`, returned once the worker knows of
 * the subscription (each process keeps its own list of who subscribes to what, reloaded on a
 * signal): an event made before that could be recorded for nobody.
 */
export async function subscribedAccount(
  app: INestApplication,
  worker: INestApplicationContext,
  url: string,
  events: string[],
) {
  const account = await createAccount(app);
  const created = await request(app.getHttpServer())
    .post('/api/v1/webhooks')
    .set(account.headers)
    .send({ url, events });
  expect(created.status).toBe(201);
  await eventually(
    async () => worker.get(WebhookSubscriptions).mayWant(account.account.id, events[0]),
    Boolean,
  );
  return { ...account, endpoint: created.body, secret: created.body.secret as string };
}
