import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { Clock } from '@app/core';
import { createAccount } from './helpers/account.factory';
import { subscribedAccount } from './helpers/webhook-endpoint.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { TestClock } from './helpers/test-clock';
import { startTestWorker } from './helpers/test-worker';
import { ReceivedWebhook, WebhookReceiver } from './helpers/webhook-receiver';

const ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: '100,150,200,250,300,350,400,450,500,550,600,650',
  WEBHOOK_DISABLE_AFTER_DAYS: '1',
  RECONCILE_INTERVAL_MS: '500',
};
const DAY_MS = 86_400_000;

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: Array<{
    statusCode: number | null;
    error: string | null;
    latencyMs: number;
    responseBody: string | null;
  }>;
}

describe('webhook deliveries: retries, disabling, the log, rotation, safe requests', () => {
  const clock = new TestClock();
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(ENV, [{ provide: Clock, useValue: clock }]);
    worker = await startTestWorker(ENV, [{ provide: Clock, useValue: clock }]);
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await worker.close();
    await app.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answer = () => ({ status: 204 });
  });

  async function endpointFor(path: string, events = ['message.received']) {
    const subscribed = await subscribedAccount(app, worker, receiver.url(path), events);
    return {
      headers: subscribed.headers,
      id: subscribed.endpoint.id as string,
      secret: subscribed.secret,
    };
  }

  const requestsTo = (path: string) => receiver.requests.filter((entry) => entry.path === path);

  async function sendTest(endpoint: { headers: Record<string, string>; id: string }) {
    const response = await http()
      .post(`/api/v1/webhooks/${endpoint.id}/test`)
      .set(endpoint.headers);
    expect(response.status).toBe(202);
    return response.body.deliveryId as string;
  }

  async function deliveriesOf(
    endpoint: { headers: Record<string, string>; id: string },
    query: Record<string, string> = {},
  ): Promise<Delivery[]> {
    const response = await http()
      .get(`/api/v1/webhooks/${endpoint.id}/deliveries`)
      .query(query)
      .set(endpoint.headers);
    expect(response.status).toBe(200);
    return response.body.data;
  }

  it('retries while the receiver is down, then delivers each event once up, keeping its webhook-id', async () => {
    const endpoint = await endpointFor('/flaky');
    await receiver.stop();
    const ids = [await sendTest(endpoint), await sendTest(endpoint), await sendTest(endpoint)];
    await eventually(
      () => deliveriesOf(endpoint),
      (deliveries) => deliveries.length === 3 && deliveries.every((d) => d.attempts.length >= 2),
      10_000,
    );
    // Back up, but answering 500 to the first request of each event.
    const seen = new Set<string>();
    receiver.answer = (received: ReceivedWebhook) => {
      const id = String(received.headers['webhook-id']);
      if (seen.has(id)) return { status: 200, body: 'ok' };
      seen.add(id);
      return { status: 500, body: 'not yet' };
    };
    await receiver.listen();
    const deliveries = await eventually(
      () => deliveriesOf(endpoint),
      (list) => list.every((delivery) => delivery.status === 'succeeded'),
      10_000,
    );
    expect(deliveries.map((delivery) => delivery.id).sort()).toEqual([...ids].sort());
    for (const delivery of deliveries) {
      const received = requestsTo('/flaky').filter(
        (entry) => entry.headers['webhook-id'] === delivery.eventId,
      );
      expect(received).toHaveLength(2);
      const [down, ...rest] = delivery.attempts;
      expect(down).toMatchObject({
        statusCode: null,
        error: expect.stringContaining('ECONNREFUSED'),
      });
      expect(rest.at(-2)).toMatchObject({ statusCode: 500, responseBody: 'not yet' });
      expect(rest.at(-1)).toMatchObject({ statusCode: 200, responseBody: 'ok', error: null });
    }
    const webhook = new Webhook(endpoint.secret);
    for (const entry of requestsTo('/flaky')) {
      expect(() =>
        webhook.verify(entry.body, {
          'webhook-id': String(entry.headers['webhook-id']),
          'webhook-timestamp': String(entry.headers['webhook-timestamp']),
          'webhook-signature': String(entry.headers['webhook-signature']),
        }),
      ).not.toThrow();
    }
  });

  it('waits as long as Retry-After says on a 429', async () => {
    const endpoint = await endpointFor('/busy');
    let answered = 0;
    receiver.answer = () =>
      answered++ === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 204 };
    await sendTest(endpoint);
    await eventually(
      async () => requestsTo('/busy').length,
      (count) => count >= 2,
      10_000,
    );
    const [first, second] = await deliveriesOf(endpoint).then((list) => list[0].attempts);
    expect(first.statusCode).toBe(429);
    expect(second.statusCode).toBe(204);
    const log = await deliveriesOf(endpoint);
    expect(log[0].status).toBe('succeeded');
    // The schedule says 100 ms; Retry-After said 2 s.
    const [asked, again] = requestsTo('/busy');
    expect(again.receivedAt - asked.receivedAt).toBeGreaterThanOrEqual(1900);
  });

  it('disables the endpoint at once on 410 Gone, with a webhook.disabled record', async () => {
    const endpoint = await endpointFor('/gone');
    receiver.answer = () => ({ status: 410 });
    await sendTest(endpoint);
    const disabled = await eventually(
      async () => (await http().get(`/api/v1/webhooks/${endpoint.id}`).set(endpoint.headers)).body,
      (body) => body.enabled === false,
      10_000,
    );
    expect(disabled.disabledReason).toBe('gone');
    expect(requestsTo('/gone')).toHaveLength(1);
    const records = await http()
      .get('/api/v1/webhooks/events')
      .query({ type: 'webhook.disabled' })
      .set(endpoint.headers);
    expect(records.body.data).toEqual([
      expect.objectContaining({
        type: 'webhook.disabled',
        data: expect.objectContaining({
          reason: 'gone',
          endpoint: expect.objectContaining({ id: endpoint.id }),
        }),
      }),
    ]);
    const again = await http().post(`/api/v1/webhooks/${endpoint.id}/test`).set(endpoint.headers);
    expect({ status: again.status, code: again.body.code }).toEqual({
      status: 409,
      code: 'WEBHOOK_DISABLED',
    });
  });

  it('disables an endpoint failing without a break for WEBHOOK_DISABLE_AFTER_DAYS', async () => {
    const endpoint = await endpointFor('/broken');
    receiver.answer = () => ({ status: 500 });
    await sendTest(endpoint);
    await eventually(
      async () => requestsTo('/broken').length,
      (count) => count >= 2,
      10_000,
    );
    const failing = await http().get(`/api/v1/webhooks/${endpoint.id}`).set(endpoint.headers);
    expect(failing.body).toMatchObject({ enabled: true, failingSince: expect.any(String) });
    clock.advance(DAY_MS + 60_000);
    const disabled = await eventually(
      async () => (await http().get(`/api/v1/webhooks/${endpoint.id}`).set(endpoint.headers)).body,
      (body) => body.enabled === false,
      10_000,
    );
    expect(disabled.disabledReason).toBe('failing');
    const [delivery] = await deliveriesOf(endpoint);
    expect(delivery.status).toBe('failed');
  });

  it('a success ends the failing streak', async () => {
    const endpoint = await endpointFor('/recovers');
    let calls = 0;
    receiver.answer = () => (calls++ < 2 ? { status: 500 } : { status: 204 });
    await sendTest(endpoint);
    await eventually(
      () => deliveriesOf(endpoint),
      (list) => list[0].status === 'succeeded',
      10_000,
    );
    const healthy = await http().get(`/api/v1/webhooks/${endpoint.id}`).set(endpoint.headers);
    expect(healthy.body).toMatchObject({ enabled: true, failingSince: null });
    clock.advance(2 * DAY_MS);
    receiver.answer = () => ({ status: 204 });
    await sendTest(endpoint);
    await eventually(
      async () => requestsTo('/recovers').length,
      (count) => count >= 4,
      10_000,
    );
    expect(
      (await http().get(`/api/v1/webhooks/${endpoint.id}`).set(endpoint.headers)).body.enabled,
    ).toBe(true);
  });

  it('does not follow a redirect: the 302 is a failed attempt', async () => {
    const endpoint = await endpointFor('/moved');
    receiver.answer = (received) =>
      received.path === '/moved'
        ? { status: 302, headers: { location: receiver.url('/elsewhere') } }
        : { status: 204 };
    await sendTest(endpoint);
    const [delivery] = await eventually(
      () => deliveriesOf(endpoint),
      (list) => list[0]?.attempts.length >= 2,
      10_000,
    );
    expect(delivery.status).toBe('pending');
    expect(delivery.attempts[0].statusCode).toBe(302);
    expect(requestsTo('/elsewhere')).toEqual([]);
    await http()
      .patch(`/api/v1/webhooks/${endpoint.id}`)
      .set(endpoint.headers)
      .send({ enabled: false });
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one', async () => {
    const endpoint = await endpointFor('/rotated');
    const rotated = await http()
      .post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`)
      .set(endpoint.headers);
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).not.toBe(endpoint.secret);
    await sendTest(endpoint);
    const [during] = await eventually(
      async () => requestsTo('/rotated'),
      (list) => list.length === 1,
      10_000,
    );
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(endpoint.secret, during)).toBe(true);
    expect(verifies(newSecret, during)).toBe(true);

    clock.advance(DAY_MS + 60_000);
    await sendTest(endpoint);
    const [, after] = await eventually(
      async () => requestsTo('/rotated'),
      (list) => list.length === 2,
      10_000,
    );
    expect(verifies(newSecret, after)).toBe(true);
    expect(verifies(endpoint.secret, after)).toBe(false);
  });

  it('lists deliveries by page and filter, retries one with the same webhook-id, replays a window', async () => {
    const endpoint = await endpointFor('/log');
    const windowStart = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await sendTest(endpoint);
    await eventually(
      () => deliveriesOf(endpoint),
      (list) => list.length === 3 && list.every((d) => d.status === 'succeeded'),
      10_000,
    );

    const first = await http()
      .get(`/api/v1/webhooks/${endpoint.id}/deliveries`)
      .query({ limit: 2 })
      .set(endpoint.headers);
    expect(first.body.data).toHaveLength(2);
    const second = await http()
      .get(`/api/v1/webhooks/${endpoint.id}/deliveries`)
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(endpoint.headers);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(await deliveriesOf(endpoint, { status: 'failed' })).toEqual([]);
    expect(await deliveriesOf(endpoint, { eventType: 'message.received' })).toEqual([]);
    const forged = await http()
      .get(`/api/v1/webhooks/${endpoint.id}/deliveries`)
      .query({ cursor: 'bm90IGEgY3Vyc29y' })
      .set(endpoint.headers);
    expect({ status: forged.status, code: forged.body.code }).toEqual({
      status: 400,
      code: 'INVALID_CURSOR',
    });

    const retried = first.body.data[0] as Delivery;
    const retry = await http()
      .post(`/api/v1/webhooks/${endpoint.id}/deliveries/${retried.id}/retry`)
      .set(endpoint.headers);
    expect(retry.status).toBe(202);
    await eventually(
      async () =>
        requestsTo('/log').filter((entry) => entry.headers['webhook-id'] === retried.eventId)
          .length,
      (count) => count === 2,
      10_000,
    );

    const replay = await http()
      .post(`/api/v1/webhooks/${endpoint.id}/replay`)
      .set(endpoint.headers)
      .send({ since: windowStart, until: new Date(Date.now() + 1000).toISOString() });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ deliveries: 3 });
    await eventually(
      async () => requestsTo('/log').length,
      (count) => count === 3 + 1 + 3,
      10_000,
    );
    const eventIds = new Set(requestsTo('/log').map((entry) => entry.headers['webhook-id']));
    expect(eventIds.size).toBe(3);

    const badWindow = await http()
      .post(`/api/v1/webhooks/${endpoint.id}/replay`)
      .set(endpoint.headers)
      .send({ since: new Date().toISOString(), until: windowStart });
    expect({ status: badWindow.status, code: badWindow.body.code }).toEqual({
      status: 422,
      code: 'WEBHOOK_REPLAY_WINDOW_INVALID',
    });
  });

  // Last: it moves the shared clock a month on.
  it('purges events and their delivery log after WEBHOOK_LOG_RETENTION_DAYS', async () => {
    const endpoint = await endpointFor('/old');
    await sendTest(endpoint);
    await eventually(
      () => deliveriesOf(endpoint),
      (list) => list[0]?.status === 'succeeded',
      10_000,
    );
    clock.advance(31 * DAY_MS);
    await eventually(
      () => deliveriesOf(endpoint),
      (list) => list.length === 0,
      10_000,
    );
  });
});

function verifies(secret: string, received: ReceivedWebhook): boolean {
  try {
    new Webhook(secret).verify(received.body, {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

describe('webhook deliveries without WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // Its own queues: the endpoints are made by an API that allows private networks (as if the
    // name had resolved publicly then), and sent by a worker that does not.
    const prefix = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-strict` };
    app = await createTestApp({ ...ENV, ...prefix });
    worker = await startTestWorker({ ...ENV, ...prefix, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await worker.close();
    await app.close();
  });

  it.each([
    ['a name resolving to loopback', 'localhost'],
    ['a loopback address', '127.0.0.1'],
  ])('refuses to connect to %s at delivery time', async (_, host) => {
    const account = await createAccount(app);
    const url = receiver.url('/internal').replace('127.0.0.1', host);
    const created = await request(app.getHttpServer())
      .post('/api/v1/webhooks')
      .set(account.headers)
      .send({ url, events: ['message.received'] });
    expect(created.status).toBe(201);
    await request(app.getHttpServer())
      .post(`/api/v1/webhooks/${created.body.id}/test`)
      .set(account.headers)
      .expect(202);
    const [delivery] = await eventually(
      async () =>
        (
          await request(app.getHttpServer())
            .get(`/api/v1/webhooks/${created.body.id}/deliveries`)
            .set(account.headers)
        ).body.data as Delivery[],
      (list) => list[0]?.attempts.length >= 1,
      10_000,
    );
    expect(delivery.attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringContaining('WEBHOOK_FORBIDDEN_ADDRESS'),
    });
    expect(receiver.requests).toEqual([]);
    await request(app.getHttpServer())
      .patch(`/api/v1/webhooks/${created.body.id}`)
      .set(account.headers)
      .send({ enabled: false });
  });
});
