import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppConfig } from '@app/core';
import { createAccount } from './helpers/account.factory';
import { CreatedDevice, createDevice, phoneFor } from './helpers/device.factory';
import { SimulatedPhone } from './fakes/device-simulator';
import { EventsClient } from './helpers/events-client';
import {
  APP_WEBHOOK_EVENTS,
  schemaErrors,
  validateSettings,
  validateWebhooks,
} from './helpers/smsgate-settings-schemas';
import {
  gsonJson,
  nowSeconds,
  pingPayload,
  postWebhook,
  signWebhook,
  smsReceivedPayload,
  webhookBody,
} from './helpers/smsgate-webhook';
import { createTestApp, urlOf } from './helpers/test-app';

const MOBILE = '/api/mobile/v1';

/**
 * Inbound SMS from a phone running SMS Gateway for Android: the settings and webhook list it is
 * given, and the signed webhooks it posts back (docs/architecture.md#inbound).
 */
describe('SMS Gateway for Android: settings, webhooks and signed inbound', () => {
  let app: NestExpressApplication;
  const sockets: EventsClient[] = [];
  const phones: SimulatedPhone[] = [];
  const http = () => request(app.getHttpServer());
  let phoneCounter = 0;
  const newPeer = () => `+1415557${String(1000 + phoneCounter++).padStart(4, '0')}`;

  /** A device as the app sees it after registering and syncing: its key and its webhooks. */
  async function syncedPhone(headers: Record<string, string>) {
    const device = await createDevice(app, headers);
    const settings = await http().get(`${MOBILE}/settings`).auth(device.token, { type: 'bearer' });
    expect(settings.status).toBe(200);
    const webhooks = await http().get(`${MOBILE}/webhooks`).auth(device.token, { type: 'bearer' });
    expect(webhooks.status).toBe(200);
    const hookFor = (event: string) =>
      (webhooks.body as Array<{ id: string; url: string; event: string }>).find(
        (hook) => hook.event === event,
      )!;
    return {
      device,
      key: settings.body.webhooks.signing_key as string,
      received: hookFor('sms:received'),
      ping: hookFor('system:ping'),
    };
  }
  type Phone = Awaited<ReturnType<typeof syncedPhone>>;

  const pathOf = (url: string) => new URL(url).pathname;

  function receivedBody(phone: Phone, sms: Parameters<typeof smsReceivedPayload>[0], id?: string) {
    return webhookBody(
      'sms:received',
      phone.received.id,
      phone.device.id,
      smsReceivedPayload(sms),
      id,
    );
  }

  async function inboundFrom(headers: Record<string, string>, peer: string) {
    const response = await http()
      .get('/api/v1/messages')
      .query({ direction: 'inbound', peer })
      .set(headers);
    expect(response.status).toBe(200);
    return response.body.data as Array<Record<string, unknown>>;
  }

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all(phones.map((phone) => phone.close()));
    await app.close();
  });

  describe('GET /settings and GET /webhooks', () => {
    it('tells the app SSE only, a ping interval and its signing key, in a shape it imports', async () => {
      const { headers } = await createAccount(app);
      const device = await createDevice(app, headers);
      const first = await http()
        .get(`${MOBILE}/settings`)
        .set('Authorization', `Bearer ${device.token}`);
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      expect(schemaErrors(validateSettings, first.body)).toEqual([]);
      expect(first.body).toEqual({
        gateway: { notification_channel: 'SSE_ONLY' },
        ping: { interval_seconds: expect.any(Number) },
        webhooks: { signing_key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      expect(first.body.ping.interval_seconds).toBeGreaterThan(0);
      // One key per device, the same on every call; another device has its own.
      const again = await http().get(`${MOBILE}/settings`).auth(device.token, { type: 'bearer' });
      expect(again.body.webhooks.signing_key).toBe(first.body.webhooks.signing_key);
      const other = await createDevice(app, headers);
      const otherSettings = await http()
        .get(`${MOBILE}/settings`)
        .auth(other.token, { type: 'bearer' });
      expect(otherSettings.body.webhooks.signing_key).not.toBe(first.body.webhooks.signing_key);
    });

    it('answers 401 without a token or with a wrong one', async () => {
      for (const path of ['settings', 'webhooks']) {
        const missing = await http().get(`${MOBILE}/${path}`);
        expect(missing.status).toBe(401);
        expect(missing.body.code).toBe('DEVICE_TOKEN_REQUIRED');
        const wrong = await http().get(`${MOBILE}/${path}`).auth('sbd_nope', { type: 'bearer' });
        expect(wrong.status).toBe(401);
        expect(wrong.body.code).toBe('DEVICE_TOKEN_INVALID');
      }
    });

    it('lists Switchboard’s own endpoints at the origin the phone called, in a shape it syncs', async () => {
      const { headers } = await createAccount(app);
      const device = await createDevice(app, headers);
      const response = await http()
        .get(`${MOBILE}/webhooks`)
        .auth(device.token, { type: 'bearer' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(schemaErrors(validateWebhooks, response.body)).toEqual([]);
      const url = `${urlOf(app)}/webhooks/sms-gateway/${device.id}`;
      expect(response.body).toEqual([
        { id: expect.any(String), url, event: 'sms:received' },
        { id: expect.any(String), url, event: 'system:ping' },
      ]);
      const ids = response.body.map((hook: { id: string }) => hook.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Stable ids: a daily re-sync does not announce a "new" received-SMS webhook.
      const again = await http().get(`${MOBILE}/webhooks`).auth(device.token, { type: 'bearer' });
      expect(again.body.map((hook: { id: string }) => hook.id)).toEqual(ids);
      for (const hook of response.body) expect(APP_WEBHOOK_EVENTS).toContain(hook.event);
    });

    it('builds https URLs behind a trusted proxy from X-Forwarded-Proto and X-Forwarded-Host', async () => {
      const { headers } = await createAccount(app);
      const device = await createDevice(app, headers);
      const response = await http()
        .get(`${MOBILE}/webhooks`)
        .auth(device.token, { type: 'bearer' })
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'sms.example.com');
      expect(schemaErrors(validateWebhooks, response.body)).toEqual([]);
      expect(response.body[0].url).toBe(
        `https://sms.example.com/webhooks/sms-gateway/${device.id}`,
      );
    });
  });

  describe('MOBILE_PUBLIC_URL', () => {
    it('is checked at start-up and kept without a trailing slash', () => {
      expect(
        AppConfig.from({ MOBILE_PUBLIC_URL: 'https://sms.example.com/sb/' }).get(
          'MOBILE_PUBLIC_URL',
        ),
      ).toBe('https://sms.example.com/sb');
      expect(AppConfig.from({ MOBILE_PUBLIC_URL: '' }).get('MOBILE_PUBLIC_URL')).toBeUndefined();
      for (const bad of [
        'sms.example.com',
        'ftp://sms.example.com',
        'https://u:p@sms.example.com',
        'https://sms.example.com/?a=1',
      ]) {
        expect(() => AppConfig.from({ MOBILE_PUBLIC_URL: bad })).toThrow(/MOBILE_PUBLIC_URL/);
      }
    });

    it('names where a new phone connects: the origin called, unless MOBILE_PUBLIC_URL says otherwise', async () => {
      const { headers } = await createAccount(app);
      const here = await http().post('/api/v1/devices').set(headers).send({ name: 'Here' });
      expect(here.status).toBe(201);
      expect(here.body.connect).toEqual({
        smsGatewayApiUrl: `${urlOf(app)}${MOBILE}`,
        webSocketUrl: `${urlOf(app).replace(/^http/, 'ws')}/ws/devices`,
      });
      const proxied = await http()
        .post('/api/v1/devices')
        .set(headers)
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'sms.example.com')
        .send({ name: 'Behind the proxy' });
      expect(proxied.body.connect).toEqual({
        smsGatewayApiUrl: `https://sms.example.com${MOBILE}`,
        webSocketUrl: 'wss://sms.example.com/ws/devices',
      });

      // The browser adding the phone reaches the server as localhost; the phone, by its public name.
      const published = await createTestApp({ MOBILE_PUBLIC_URL: 'https://sms.example.com/sb/' });
      try {
        const account = await createAccount(published);
        const created = await request(published.getHttpServer())
          .post('/api/v1/devices')
          .set(account.headers)
          .send({ name: 'Published' });
        expect(created.body.connect).toEqual({
          smsGatewayApiUrl: `https://sms.example.com/sb${MOBILE}`,
          webSocketUrl: 'wss://sms.example.com/sb/ws/devices',
        });
        const webhooks = await request(published.getHttpServer())
          .get(`${MOBILE}/webhooks`)
          .auth(created.body.token, { type: 'bearer' });
        expect(webhooks.body[0].url).toBe(
          `https://sms.example.com/sb/webhooks/sms-gateway/${created.body.id}`,
        );
      } finally {
        await published.close();
      }
    });
  });

  describe('replacing a device token', () => {
    it('revokes the old token and its signing key at once; the new token gets a new key', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      // The same device on a WebSocket with the old token: disconnected by the replacement.
      const socket = phoneFor(app, phone.device);
      phones.push(socket);
      await socket.connect();

      const replaced = await http()
        .post(`/api/v1/devices/${phone.device.id}/token`)
        .set(account.headers);
      expect(replaced.status).toBe(201);
      expect(replaced.body).toMatchObject({
        id: phone.device.id,
        token: expect.stringMatching(/^sbd_/),
        connect: { smsGatewayApiUrl: `${urlOf(app)}${MOBILE}` },
      });
      expect(replaced.body.token).not.toBe(phone.device.token);
      expect(await socket.waitForClose()).toEqual({ code: 4003, reason: 'device token replaced' });
      const old = await http()
        .get(`${MOBILE}/settings`)
        .auth(phone.device.token, { type: 'bearer' });
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('DEVICE_TOKEN_INVALID');

      const peer = newPeer();
      const text = (key: string, messageId: string) =>
        signWebhook(
          key,
          receivedBody(phone, {
            messageId,
            sender: peer,
            message: messageId,
            receivedAt: new Date(),
          }),
        );
      const withOldKey = await postWebhook(app, pathOf(phone.received.url), text(phone.key, 'old'));
      expect(withOldKey.status).toBe(401);
      expect(withOldKey.body.code).toBe('SMS_GATEWAY_SIGNATURE_INVALID');

      const settings = await http()
        .get(`${MOBILE}/settings`)
        .auth(replaced.body.token, { type: 'bearer' });
      expect(settings.status).toBe(200);
      const newKey = settings.body.webhooks.signing_key as string;
      expect(newKey).not.toBe(phone.key);
      const withNewKey = await postWebhook(app, pathOf(phone.received.url), text(newKey, 'new'));
      expect(withNewKey.status).toBe(204);
      expect((await inboundFrom(account.headers, peer)).map((message) => message.body)).toEqual([
        'new',
      ]);

      const stranger = await createAccount(app);
      const foreign = await http()
        .post(`/api/v1/devices/${phone.device.id}/token`)
        .set(stranger.headers);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('DEVICE_NOT_FOUND');
    });
  });

  describe('signed webhooks', () => {
    it('stores a signed sms:received in the device account’s conversation and pushes it live', async () => {
      const account = await createAccount(app);
      const live = await EventsClient.connect(app, { apiKey: account.key });
      sockets.push(live);
      await live.waitFor((event) => event.type === 'ready');
      const phone = await syncedPhone(account.headers);
      const peer = newPeer();
      const text = "Running late <3 & see you at 5 = ok? It's fine";
      const signed = signWebhook(
        phone.key,
        receivedBody(phone, {
          messageId: 'a1b2c3d4',
          sender: peer,
          message: text,
          receivedAt: new Date(),
          recipient: '+12015550177',
          simNumber: 2,
        }),
      );
      expect(signed.body).toContain('\\u003c3 \\u0026'); // the bytes are Gson's, not JSON.stringify's
      const response = await postWebhook(app, pathOf(phone.received.url), signed);
      expect(response.status).toBe(204);

      const pushed = await live.waitFor(
        (event) => event.type === 'message.created' && event.data.body === text,
      );
      expect(pushed.data).toMatchObject({ direction: 'inbound', from: peer, status: 'received' });
      const thread = await http()
        .get(`/api/v1/conversations/${encodeURIComponent(peer)}/messages`)
        .set(account.headers);
      expect(thread.status).toBe(200);
      expect(thread.body.data).toEqual([
        expect.objectContaining({ direction: 'received', body: text }),
      ]);
      expect(await inboundFrom(account.headers, peer)).toEqual([
        expect.objectContaining({
          from: peer,
          to: '+12015550177',
          body: text,
          deviceId: phone.device.id,
          simNumber: 2,
        }),
      ]);
    });

    it('joins the text to the open chat session with its sender, as any inbound text', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      const peer = newPeer();
      const sessionId = `support-${randomUUID()}`;
      const opened = await http()
        .post('/api/v1/messages')
        .set(account.headers)
        .send({ to: peer, body: 'How can we help?', sessionId });
      expect(opened.status).toBe(202);
      await postWebhook(
        app,
        pathOf(phone.received.url),
        signWebhook(
          phone.key,
          receivedBody(phone, {
            messageId: '0c0ffee0',
            sender: peer,
            message: 'My order is late',
            receivedAt: new Date(),
          }),
        ),
      ).expect(204);
      const session = await http()
        .get(`/api/v1/sessions/${sessionId}/messages`)
        .set(account.headers);
      expect(session.status).toBe(200);
      expect(session.body.data.map((message: { body: string }) => message.body)).toEqual([
        'My order is late',
        'How can we help?',
      ]);
    });

    it('stores a retried text once: the app re-signs the same event for each attempt', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      const peer = newPeer();
      const body = receivedBody(phone, {
        messageId: 'ffee0011',
        sender: peer,
        message: 'only once',
        receivedAt: new Date(),
      });
      const attempts = [String(Number(nowSeconds()) - 30), nowSeconds()];
      for (const timestamp of attempts) {
        const response = await postWebhook(
          app,
          pathOf(phone.received.url),
          signWebhook(phone.key, body, timestamp),
        );
        expect(response.status).toBe(204);
      }
      expect((await inboundFrom(account.headers, peer)).map((message) => message.body)).toEqual([
        'only once',
      ]);
      // Attempts that cross (a slow answer, then the app's retry) still store one.
      const racing = receivedBody(phone, {
        messageId: 'ffee0022',
        sender: peer,
        message: 'raced',
        receivedAt: new Date(),
      });
      const answers = await Promise.all(
        [1, 2, 3].map((ago) =>
          postWebhook(
            app,
            pathOf(phone.received.url),
            signWebhook(phone.key, racing, String(Number(nowSeconds()) - ago)),
          ),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
      expect((await inboundFrom(account.headers, peer)).map((message) => message.body)).toEqual([
        'raced',
        'only once',
      ]);
      // The same app id at another time is another text (the id is a 32-bit hash).
      await postWebhook(
        app,
        pathOf(phone.received.url),
        signWebhook(
          phone.key,
          receivedBody(phone, {
            messageId: 'ffee0011',
            sender: peer,
            message: 'a second one',
            receivedAt: new Date(Date.now() + 60_000),
          }),
        ),
      ).expect(204);
      expect(await inboundFrom(account.headers, peer)).toHaveLength(3);
    });

    it('refuses unsigned, forged, stale and replayed requests, and stores none of them', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      const peer = newPeer();
      const path = pathOf(phone.received.url);
      const body = receivedBody(phone, {
        messageId: 'bad00001',
        sender: peer,
        message: 'should never land',
        receivedAt: new Date(),
      });
      const good = signWebhook(phone.key, body);
      const codeOf = async (signed: Parameters<typeof postWebhook>[2], status: number) => {
        const response = await postWebhook(app, path, signed);
        expect(response.status).toBe(status);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        return response.body.code as string;
      };

      expect(await codeOf({ body }, 401)).toBe('SMS_GATEWAY_SIGNATURE_MISSING');
      expect(await codeOf({ body, signature: good.signature }, 401)).toBe(
        'SMS_GATEWAY_SIGNATURE_MISSING',
      );
      expect(await codeOf({ body, timestamp: good.timestamp }, 401)).toBe(
        'SMS_GATEWAY_SIGNATURE_MISSING',
      );
      // Signed with another key (the app's own random one, before it synced), or not hex at all.
      expect(await codeOf(signWebhook('Xy3_pQ9z', body), 401)).toBe(
        'SMS_GATEWAY_SIGNATURE_INVALID',
      );
      expect(await codeOf({ ...good, signature: 'not-a-signature' }, 401)).toBe(
        'SMS_GATEWAY_SIGNATURE_INVALID',
      );
      // A valid signature does not carry over to another body or another time.
      const tampered = body.replace('should never land', 'send money now');
      expect(await codeOf({ ...good, body: tampered }, 401)).toBe('SMS_GATEWAY_SIGNATURE_INVALID');
      expect(await codeOf({ ...good, timestamp: String(Number(good.timestamp) + 1) }, 401)).toBe(
        'SMS_GATEWAY_SIGNATURE_INVALID',
      );
      // Outside the 5-minute window either way, even when correctly signed.
      const old = String(Number(nowSeconds()) - 600);
      expect(await codeOf(signWebhook(phone.key, body, old), 401)).toBe(
        'SMS_GATEWAY_TIMESTAMP_STALE',
      );
      const future = String(Number(nowSeconds()) + 600);
      expect(await codeOf(signWebhook(phone.key, body, future), 401)).toBe(
        'SMS_GATEWAY_TIMESTAMP_STALE',
      );
      expect(await codeOf({ ...good, timestamp: '1e9' }, 401)).toBe('SMS_GATEWAY_TIMESTAMP_STALE');
      // Another device's path, an unknown device and a malformed id look alike: no probing.
      const other = await syncedPhone(account.headers);
      const onOtherPath = await postWebhook(app, pathOf(other.received.url), good);
      expect(onOtherPath.status).toBe(401);
      expect(onOtherPath.body.code).toBe('SMS_GATEWAY_SIGNATURE_INVALID');
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const unknown = await postWebhook(app, `/webhooks/sms-gateway/${id}`, good);
        expect(unknown.status).toBe(401);
        expect(unknown.body.code).toBe('SMS_GATEWAY_SIGNATURE_INVALID');
      }
      expect(await inboundFrom(account.headers, peer)).toEqual([]);

      // The genuine request, once; the same bytes again are a replay.
      expect((await postWebhook(app, path, good)).status).toBe(204);
      expect(await codeOf(good, 409)).toBe('SMS_GATEWAY_WEBHOOK_REPLAYED');
      expect(await inboundFrom(account.headers, peer)).toHaveLength(1);
    });

    it('refuses a signed body that is not the app’s JSON with 400', async () => {
      const { headers } = await createAccount(app);
      const phone = await syncedPhone(headers);
      const path = pathOf(phone.received.url);
      const cases = [
        'not json',
        '[]',
        gsonJson({ id: 'e1', event: 'sms:received', payload: null }),
        webhookBody('sms:received', phone.received.id, phone.device.id, { messageId: 'x' }),
        webhookBody('sms:received', phone.received.id, phone.device.id, {
          ...smsReceivedPayload({
            messageId: 'x1',
            sender: '+14155550100',
            message: 'hi',
            receivedAt: new Date(),
          }),
          receivedAt: 'yesterday',
        }),
      ];
      for (const body of cases) {
        const response = await postWebhook(app, path, signWebhook(phone.key, body));
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('SMS_GATEWAY_PAYLOAD_INVALID');
      }
    });

    it('stops taking a deleted device’s webhooks and settings', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      const peer = newPeer();
      const sms = (messageId: string) =>
        receivedBody(phone, {
          messageId,
          sender: peer,
          message: messageId,
          receivedAt: new Date(),
        });
      await postWebhook(
        app,
        pathOf(phone.received.url),
        signWebhook(phone.key, sms('before')),
      ).expect(204);
      await http().delete(`/api/v1/devices/${phone.device.id}`).set(account.headers).expect(204);

      const after = await postWebhook(
        app,
        pathOf(phone.received.url),
        signWebhook(phone.key, sms('after')),
      );
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('SMS_GATEWAY_SIGNATURE_INVALID');
      const settings = await http()
        .get(`${MOBILE}/settings`)
        .auth(phone.device.token, { type: 'bearer' });
      expect(settings.status).toBe(401);
      expect((await inboundFrom(account.headers, peer)).map((message) => message.body)).toEqual([
        'before',
      ]);
    });

    it('shows battery and charging from system:ping on GET /devices and in device.updated', async () => {
      const account = await createAccount(app);
      const live = await EventsClient.connect(app, { apiKey: account.key });
      sockets.push(live);
      await live.waitFor((event) => event.type === 'ready');
      const phone = await syncedPhone(account.headers);
      const ping = (battery: number, chargingFlags: number, transportFlags: number, id: string) =>
        webhookBody(
          'system:ping',
          phone.ping.id,
          phone.device.id,
          pingPayload({ battery, chargingFlags, transportFlags }),
          id,
        );

      // Charging flags 3 = charging (1) on AC (2); transport 6 = cellular (2) and Wi-Fi (4).
      await postWebhook(
        app,
        pathOf(phone.ping.url),
        signWebhook(phone.key, ping(42, 3, 6, 'ping-1')),
      ).expect(204);
      const shown = await http().get(`/api/v1/devices/${phone.device.id}`).set(account.headers);
      expect(shown.body).toMatchObject({
        battery: 42,
        charging: true,
        network: 'wifi',
        appVersion: '1.68.0',
      });
      expect(shown.body.lastSeenAt).not.toBeNull();
      const updated = await live.waitFor(
        (event) => event.type === 'device.updated' && event.data.id === phone.device.id,
      );
      expect(updated.data).toMatchObject({ battery: 42, charging: true });

      await postWebhook(
        app,
        pathOf(phone.ping.url),
        signWebhook(phone.key, ping(41, 0, 2, 'ping-2')),
      ).expect(204);
      // A late retry of the first ping (same event id, signed afresh) does not undo the second.
      const later = String(Number(nowSeconds()) + 5);
      await postWebhook(
        app,
        pathOf(phone.ping.url),
        signWebhook(phone.key, ping(42, 3, 6, 'ping-1'), later),
      ).expect(204);
      // The ping is applied before the answer: the list shows it at once.
      const list = await http().get('/api/v1/devices').set(account.headers);
      const listed = list.body.data.find((device: CreatedDevice) => device.id === phone.device.id);
      expect(listed).toMatchObject({ battery: 41, charging: false, network: 'cellular' });
    });

    it('writes a ping into the live status of a phone that is connected', async () => {
      const account = await createAccount(app);
      const phone = await syncedPhone(account.headers);
      const connected = phoneFor(app, phone.device, {
        status: { battery: 90, charging: false, signal: 3 },
      });
      phones.push(connected);
      await connected.connect();
      const before = await http().get(`/api/v1/devices/${phone.device.id}`).set(account.headers);
      expect(before.body).toMatchObject({ online: true, battery: 90 });

      const body = webhookBody(
        'system:ping',
        phone.ping.id,
        phone.device.id,
        pingPayload({ battery: 55, chargingFlags: 5, transportFlags: 8 }),
      );
      await postWebhook(app, pathOf(phone.ping.url), signWebhook(phone.key, body)).expect(204);
      const after = await http().get(`/api/v1/devices/${phone.device.id}`).set(account.headers);
      expect(after.body).toMatchObject({
        online: true,
        battery: 55,
        charging: true,
        network: 'ethernet',
        signal: 3,
      });
    });
  });
});
