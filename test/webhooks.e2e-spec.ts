import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createAccount } from './helpers/account.factory';
import { subscribedAccount } from './helpers/webhook-endpoint.factory';
import { createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { TestStack, startStack } from './helpers/test-stack';
import { postInboundSms } from './helpers/twilio-webhook';
import { WebhookReceiver } from './helpers/webhook-receiver';

const POOL = ['+12015550140', '+12015550141'];
/** A local receiver needs both opt-ins; short retries keep the test fast. */
export const WEBHOOK_TEST_ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: '100,200,300,400,500',
  WEBHOOK_MAX_ENDPOINTS_PER_ACCOUNT: '3',
};

describe('webhooks: endpoints and message events', () => {
  let stack: TestStack;
  let app: NestExpressApplication;
  let receiver: WebhookReceiver;
  const http = () => request(app.getHttpServer());
  let phoneCounter = 0;
  const newPhone = () => `+1415557${String(1000 + phoneCounter++).padStart(4, '0')}`;

  beforeAll(async () => {
    stack = await startStack(POOL, WEBHOOK_TEST_ENV);
    app = stack.app;
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await stack.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    stack.fake.reset();
  });

  /** An account with one endpoint, once every process knows about it. */
  const subscribedTo = (events: string[], path = '/hooks') =>
    subscribedAccount(app, stack.worker, receiver.url(path), events);

  /** The verified deliveries of one event type to one path. */
  async function deliveriesOf(secret: string, path: string, type: string, count = 1) {
    return eventually(
      async () =>
        receiver
          .verified(secret)
          .filter((entry, index) => receiver.requests[index].path === path)
          .filter((entry) => entry.payload.type === type),
      (entries) => entries.length >= count,
    );
  }

  it('creates an endpoint with a secret shown once and stored encrypted; lists, updates, deletes', async () => {
    const account = await createAccount(app);
    const created = await http()
      .post('/api/v1/webhooks')
      .set(account.headers)
      .send({ url: receiver.url(), events: ['message.received'], description: 'CRM' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: receiver.url(),
      events: ['message.received'],
      description: 'CRM',
      enabled: true,
      disabledReason: null,
    });
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const [stored] = await app
      .get(DataSource)
      .query('SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1', [created.body.id]);
    expect(stored.secret_encrypted).not.toContain(secret.slice('whsec_'.length, 20));
    expect(stored.secret_encrypted).toMatch(/^v1:/);

    const fetched = await http().get(`/api/v1/webhooks/${created.body.id}`).set(account.headers);
    expect(fetched.status).toBe(200);
    expect(fetched.body.secret).toBeUndefined();
    const list = await http().get('/api/v1/webhooks').set(account.headers);
    expect(list.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([
      created.body.id,
    ]);

    const updated = await http()
      .patch(`/api/v1/webhooks/${created.body.id}`)
      .set(account.headers)
      .send({ events: ['message.sent', 'message.failed'], enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      events: ['message.sent', 'message.failed'],
      enabled: false,
      disabledReason: 'by_account',
    });
    const reenabled = await http()
      .patch(`/api/v1/webhooks/${created.body.id}`)
      .set(account.headers)
      .send({ enabled: true });
    expect(reenabled.body).toMatchObject({ enabled: true, disabledReason: null });

    expect(
      (await http().delete(`/api/v1/webhooks/${created.body.id}`).set(account.headers)).status,
    ).toBe(204);
    expect(
      (await http().get(`/api/v1/webhooks/${created.body.id}`).set(account.headers)).status,
    ).toBe(404);
  });

  it("answers 404 WEBHOOK_NOT_FOUND for another account's endpoint, changing nothing", async () => {
    const owner = await createAccount(app);
    const intruder = await createAccount(app);
    const created = await http()
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: receiver.url(), events: ['message.received'] });
    const id = created.body.id;
    const attempts = [
      http().get(`/api/v1/webhooks/${id}`).set(intruder.headers),
      http().patch(`/api/v1/webhooks/${id}`).set(intruder.headers).send({ enabled: false }),
      http().delete(`/api/v1/webhooks/${id}`).set(intruder.headers),
      http().post(`/api/v1/webhooks/${id}/rotate-secret`).set(intruder.headers),
      http().post(`/api/v1/webhooks/${id}/test`).set(intruder.headers),
      http().get(`/api/v1/webhooks/${id}/deliveries`).set(intruder.headers),
      http()
        .post(`/api/v1/webhooks/${id}/replay`)
        .set(intruder.headers)
        .send({ since: new Date(Date.now() - 60_000).toISOString() }),
      http().get('/api/v1/webhooks/not-a-uuid').set(intruder.headers),
    ];
    for (const response of await Promise.all(attempts)) {
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 404,
        code: 'WEBHOOK_NOT_FOUND',
      });
    }
    const list = await http().get('/api/v1/webhooks').set(intruder.headers);
    expect(list.body.data).toEqual([]);
    const still = await http().get(`/api/v1/webhooks/${id}`).set(owner.headers);
    expect(still.body.enabled).toBe(true);
  });

  it('refuses unknown events and a fourth endpoint (WEBHOOK_LIMIT_REACHED)', async () => {
    const account = await createAccount(app);
    const unknown = await http()
      .post('/api/v1/webhooks')
      .set(account.headers)
      .send({ url: receiver.url(), events: ['message.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        http()
          .post('/api/v1/webhooks')
          .set(account.headers)
          .send({ url: receiver.url(), events: ['message.sent'] }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 201, 201, 409, 409]);
    expect(results.find((result) => result.status === 409)!.body.code).toBe(
      'WEBHOOK_LIMIT_REACHED',
    );
    const list = await http().get('/api/v1/webhooks').set(account.headers);
    expect(list.body.data).toHaveLength(3);
  });

  it('refuses loopback, link-local and private hosts, and http://, without the opt-ins', async () => {
    const strict = await createTestApp({});
    try {
      const account = await createAccount(strict);
      const cases: Array<[string, string]> = [
        ['https://127.0.0.1/hook', 'WEBHOOK_URL_FORBIDDEN'],
        ['https://169.254.169.254/latest/meta-data', 'WEBHOOK_URL_FORBIDDEN'],
        ['https://[::1]/hook', 'WEBHOOK_URL_FORBIDDEN'],
        ['https://10.1.2.3/hook', 'WEBHOOK_URL_FORBIDDEN'],
        ['https://localhost/hook', 'WEBHOOK_URL_FORBIDDEN'],
        ['http://93.184.215.14/hook', 'WEBHOOK_URL_INVALID'],
        ['ftp://example.com/hook', 'WEBHOOK_URL_INVALID'],
        ['not a url', 'WEBHOOK_URL_INVALID'],
      ];
      for (const [url, code] of cases) {
        const response = await request(strict.getHttpServer())
          .post('/api/v1/webhooks')
          .set(account.headers)
          .send({ url, events: ['message.received'] });
        expect({ url, status: response.status, code: response.body.code }).toEqual({
          url,
          status: 422,
          code,
        });
      }
      const list = await request(strict.getHttpServer())
        .get('/api/v1/webhooks')
        .set(account.headers);
      expect(list.body.data).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('delivers message.received, signed, with the REST view of the message', async () => {
    const account = await subscribedTo(['message.received'], '/received');
    const phone = newPhone();
    const sent = await http()
      .post('/api/v1/messages?wait=10')
      .set(account.headers)
      .send({ to: phone, body: 'Hello', sessionId: 'support-7' });
    expect(sent.body.status).toBe('sent');
    const reply = await postInboundSms(app, stack.fake, {
      from: phone,
      to: sent.body.from,
      body: 'Hi back',
    });
    expect(reply.status).toBe(200);

    const [delivery] = await deliveriesOf(account.secret, '/received', 'message.received');
    const view = await http()
      .get(`/api/v1/messages/${delivery.payload.data.id}`)
      .set(account.headers);
    expect(delivery.payload).toEqual({
      id: delivery.headers['webhook-id'],
      type: 'message.received',
      createdAt: expect.any(String),
      accountId: account.account.id,
      sequence: expect.any(Number),
      data: view.body,
    });
    expect(view.body).toMatchObject({
      direction: 'inbound',
      body: 'Hi back',
      sessionId: 'support-7',
    });
  });

  it('delivers message.sent then message.delivered, each equal to the REST view at the time', async () => {
    const account = await subscribedTo(['message.sent', 'message.delivered'], '/status');
    const sent = await http()
      .post('/api/v1/messages?wait=10')
      .set(account.headers)
      .send({ to: newPhone(), body: 'Status please' });
    expect(sent.body.status).toBe('sent');
    const [sentEvent] = await deliveriesOf(account.secret, '/status', 'message.sent');
    const viewWhenSent = await http().get(`/api/v1/messages/${sent.body.id}`).set(account.headers);
    expect(sentEvent.payload.data).toEqual(viewWhenSent.body);

    const sid = stack.fake.messages.find((message) => message.body === 'Status please')!.sid;
    expect(await stack.fake.sendStatusCallback(sid, 'delivered')).toBe(204);
    const [deliveredEvent] = await deliveriesOf(account.secret, '/status', 'message.delivered');
    const viewWhenDelivered = await http()
      .get(`/api/v1/messages/${sent.body.id}`)
      .set(account.headers);
    expect(deliveredEvent.payload.data).toEqual(viewWhenDelivered.body);
    expect(deliveredEvent.payload.sequence).toBeGreaterThan(sentEvent.payload.sequence);
  });

  it('delivers message.failed, message.undelivered and message.canceled', async () => {
    const account = await subscribedTo(
      ['message.failed', 'message.undelivered', 'message.canceled'],
      '/failures',
    );
    stack.fake.failNext(1, { status: 400, code: 21211, message: 'Invalid To' });
    const failing = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({ to: newPhone(), body: 'Will fail' });
    const [failed] = await deliveriesOf(account.secret, '/failures', 'message.failed');
    expect(failed.payload.data).toMatchObject({
      id: failing.body.id,
      status: 'failed',
      errorCode: '21211',
    });

    const undeliverable = await http()
      .post('/api/v1/messages?wait=10')
      .set(account.headers)
      .send({ to: newPhone(), body: 'Lost on the way' });
    const sid = stack.fake.messages.find((message) => message.body === 'Lost on the way')!.sid;
    await stack.fake.sendStatusCallback(sid, 'undelivered', { errorCode: 30003 });
    const [undelivered] = await deliveriesOf(account.secret, '/failures', 'message.undelivered');
    expect(undelivered.payload.data).toMatchObject({
      id: undeliverable.body.id,
      status: 'undelivered',
    });

    const scheduled = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({
        to: newPhone(),
        body: 'Later',
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    await http()
      .post(`/api/v1/messages/${scheduled.body.id}/cancel`)
      .set(account.headers)
      .expect(200);
    const [canceled] = await deliveriesOf(account.secret, '/failures', 'message.canceled');
    expect(canceled.payload.data).toMatchObject({ id: scheduled.body.id, status: 'canceled' });
  });

  it('sends nothing for events an endpoint does not subscribe to, nor to another account', async () => {
    const account = await subscribedTo(['message.delivered'], '/quiet');
    const other = await createAccount(app);
    for (const sender of [account, other]) {
      const sent = await http()
        .post('/api/v1/messages?wait=10')
        .set(sender.headers)
        .send({ to: newPhone(), body: 'Only sent' });
      expect(sent.body.status).toBe('sent');
    }
    const deliveries = await app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE e.account_id = $1`,
        [account.account.id],
      );
    expect(deliveries[0].n).toBe(0);
    expect(receiver.requests.filter((entry) => entry.path === '/quiet')).toEqual([]);
  });

  it('sends webhook.test to the one endpoint asked', async () => {
    const account = await subscribedTo(['message.received'], '/test-me');
    const response = await http()
      .post(`/api/v1/webhooks/${account.endpoint.id}/test`)
      .set(account.headers);
    expect(response.status).toBe(202);
    const [test] = await deliveriesOf(account.secret, '/test-me', 'webhook.test');
    expect(test.payload).toMatchObject({
      type: 'webhook.test',
      accountId: account.account.id,
      data: { endpointId: account.endpoint.id },
    });
  });

  it('delivers device.online, device.low_battery once per crossing, and device.offline', async () => {
    const account = await subscribedTo(
      ['device.online', 'device.offline', 'device.low_battery'],
      '/devices',
    );
    const device = await createDevice(app, account.headers);
    const phone = phoneFor(app, device, { status: { battery: 50, charging: false, signal: 3 } });
    await phone.connect();
    const [online] = await deliveriesOf(account.secret, '/devices', 'device.online');
    expect(online.payload.data).toMatchObject({ id: device.id, online: true, battery: 50 });

    phone.sendStatus({ battery: 12 });
    phone.sendStatus({ battery: 10 });
    const [low] = await deliveriesOf(account.secret, '/devices', 'device.low_battery');
    expect(low.payload.data).toMatchObject({ id: device.id, battery: 12 });

    await phone.close();
    const [offline] = await deliveriesOf(account.secret, '/devices', 'device.offline');
    const view = await http().get(`/api/v1/devices/${device.id}`).set(account.headers);
    expect(offline.payload.data).toEqual(view.body);
    expect(view.body.online).toBe(false);
    // The second report under the threshold was no new crossing.
    const lows = receiver
      .verified(account.secret)
      .filter((entry) => entry.payload.type === 'device.low_battery');
    expect(lows).toHaveLength(1);
  });

  it('documents a schema per event and the webhook error codes in the OpenAPI document', async () => {
    const document = (await http().get('/docs-json')).body;
    const schemas = document.components.schemas;
    expect(
      schemas.MessageReceivedWebhookEvent.properties.data.allOf ?? [
        schemas.MessageReceivedWebhookEvent.properties.data,
      ],
    ).toEqual([{ $ref: '#/components/schemas/MessageView' }]);
    for (const name of [
      'MessageSentWebhookEvent',
      'MessageDeliveredWebhookEvent',
      'MessageFailedWebhookEvent',
      'MessageUndeliveredWebhookEvent',
      'MessageExpiredWebhookEvent',
      'MessageCanceledWebhookEvent',
      'DeviceOnlineWebhookEvent',
      'DeviceOfflineWebhookEvent',
      'DeviceLowBatteryWebhookEvent',
      'WebhookTestWebhookEvent',
      'WebhookDisabledWebhookEvent',
    ]) {
      expect(schemas[name]?.properties).toEqual(
        expect.objectContaining({
          id: expect.anything(),
          type: expect.anything(),
          sequence: expect.anything(),
          data: expect.anything(),
        }),
      );
    }
    const text = JSON.stringify(document.paths);
    for (const code of [
      'WEBHOOK_NOT_FOUND',
      'WEBHOOK_LIMIT_REACHED',
      'WEBHOOK_URL_INVALID',
      'WEBHOOK_URL_FORBIDDEN',
      'WEBHOOK_URL_UNRESOLVABLE',
      'WEBHOOK_DISABLED',
      'WEBHOOK_DELIVERY_NOT_FOUND',
      'WEBHOOK_REPLAY_WINDOW_INVALID',
    ]) {
      expect(text).toContain(code);
    }
  });
});
