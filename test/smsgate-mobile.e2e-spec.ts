import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { EventSource } from 'eventsource';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { CreatedDevice, createDevice } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { possibleDuplicates } from './helpers/metrics';
import {
  APP_USER_AGENT,
  appCall,
  gsonNow,
  jsonOf,
  openAppEvents,
} from './helpers/smsgate-app-http';
import {
  APP_EVENT_TYPES,
  deviceGetResponseSchema,
  deviceRegisterResponseSchema,
  messageListSchema,
  schemaErrors,
} from './helpers/smsgate-app-schemas';
import { createTestApp, urlOf } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

const ENV = {
  DEVICE_HEARTBEAT_MS: '300',
  DEVICE_ACK_TIMEOUT_MS: '4000',
  DEVICE_RESULT_TIMEOUT_MS: '8000',
};

/** What the app sends as its own name when it registers (Build.MANUFACTURER/Build.PRODUCT). */
const registration = { name: 'Google/panther', simCards: [{ slotIndex: 0, simNumber: 1 }] };

/**
 * The mobile API of the SMS Gateway for Android app (docs/android.md), checked against what the
 * app v1.68.0 sends and parses (test/helpers/smsgate-app-schemas.ts): registration with the
 * device token, the event stream that makes the phone online, pulling as the ack and the states
 * it reports as results.
 */
describe('SMS Gateway for Android app: mobile API', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let base: string;
  const streams: EventSource[] = [];

  beforeAll(async () => {
    app = await createTestApp(ENV);
    worker = await startTestWorker(ENV);
    base = urlOf(app);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await worker.close();
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const deviceView = async (headers: Record<string, string>, id: string) =>
    (await http().get(`/api/v1/devices/${id}`).set(headers)).body;
  const messageOf = async (headers: Record<string, string>, id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;
  const send = async (headers: Record<string, string>, body: string, extra = {}) => {
    const response = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550142', body, route: 'device', ...extra });
    expect(response.status).toBe(202);
    return response.body.id as string;
  };
  const register = async (device: CreatedDevice) => {
    const response = await appCall(base, device.token, 'POST', '/device', registration);
    expect(response.status).toBe(201);
    return response;
  };
  /** Opens the app's stream and waits until the device is online through it. */
  const connect = async (headers: Record<string, string>, device: CreatedDevice) => {
    const stream = openAppEvents(base, device.token);
    streams.push(stream);
    const events: Array<{ type: string; data: string }> = [];
    for (const type of APP_EVENT_TYPES) {
      stream.addEventListener(type, (event) => events.push({ type, data: event.data }));
    }
    // An event of a type the app does not know would arrive here (and fail the app).
    stream.addEventListener('message', (event) =>
      events.push({ type: 'message', data: event.data }),
    );
    await eventually(
      () => deviceView(headers, device.id),
      (view) => view.online === true && view.transport === 'sse',
    );
    return { stream, events };
  };
  const pull = async (token: string, order = 'fifo') => {
    const response = await appCall(base, token, 'GET', `/message?order=${order}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    const body = await jsonOf<unknown>(response);
    expect(schemaErrors(messageListSchema, body)).toEqual([]);
    return body as Array<{ id: string; textMessage: { text: string }; phoneNumbers: string[] }>;
  };
  const patch = (token: string, id: string, state: string, error: string | null = null) =>
    appCall(base, token, 'PATCH', '/message', [
      {
        id,
        state,
        recipients: [{ phoneNumber: '+14155550142', state, ...(error ? { error } : {}) }],
        states: { Processed: gsonNow(), [state]: gsonNow() },
      },
    ]);

  it('registers with the device token, again with the same answer; wrong, missing, Basic and Code tokens answer 401', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);

    const first = await register(device);
    expect(first.headers.get('content-type')).toMatch(/^application\/json\b/);
    const body = await jsonOf<{ id: string; token: string; login: string }>(first);
    expect(schemaErrors(deviceRegisterResponseSchema, body)).toEqual([]);
    expect(body).toEqual({ id: device.id, token: device.token, login: device.id });

    const again = await register(device);
    expect(await jsonOf(again)).toEqual(body);
    // The app uses the answered token for its calls from now on.
    const info = await appCall(base, body.token, 'GET', '/device');
    expect(info.status).toBe(200);
    expect(schemaErrors(deviceGetResponseSchema, await jsonOf(info))).toEqual([]);

    const view = await deviceView(headers, device.id);
    expect(view).toMatchObject({ model: 'Google/panther', appVersion: '1.68.0', transport: null });

    const refusals = [
      [
        await appCall(base, `${device.token}x`, 'POST', '/device', registration),
        'DEVICE_TOKEN_INVALID',
      ],
      [await appCall(base, 'not-a-token', 'POST', '/device', registration), 'DEVICE_TOKEN_INVALID'],
      [await appCall(base, null, 'POST', '/device', registration), 'DEVICE_TOKEN_REQUIRED'],
      [
        await appCall(base, null, 'POST', '/device', registration, {
          Authorization: `Basic ${Buffer.from('user:pass').toString('base64')}`,
        }),
        'APP_LOGIN_NOT_SUPPORTED',
      ],
      [
        await appCall(base, null, 'POST', '/device', registration, {
          Authorization: 'Code 123456',
        }),
        'APP_LOGIN_NOT_SUPPORTED',
      ],
    ] as const;
    for (const [response, code] of refusals) {
      expect([response.status, (await jsonOf(response)).code]).toEqual([401, code]);
    }

    const badBody = await appCall(base, device.token, 'POST', '/device', { simCards: 'two' });
    expect([badBody.status, (await jsonOf(badBody)).code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('PATCH /device updates only the caller; fields of newer apps are accepted; user code and password answer clear problems', async () => {
    const { headers } = await createAccount(app);
    const [device, other] = [await createDevice(app, headers), await createDevice(app, headers)];
    await register(device);

    const own = await appCall(base, device.token, 'PATCH', '/device', {
      id: device.id,
      simCards: [{ slotIndex: 0, simNumber: 1, carrierName: '****ile' }],
      someFutureField: true,
    });
    expect(own.status).toBe(204);
    const foreign = await appCall(base, device.token, 'PATCH', '/device', { id: other.id });
    expect([foreign.status, (await jsonOf(foreign)).code]).toEqual([403, 'DEVICE_ID_MISMATCH']);

    const code = await appCall(base, null, 'GET', '/user/code', undefined, {
      Authorization: `Basic ${Buffer.from(`${device.id}:x`).toString('base64')}`,
    });
    expect([code.status, (await jsonOf(code)).code]).toEqual([401, 'APP_LOGIN_NOT_SUPPORTED']);
    const password = await appCall(base, device.token, 'PATCH', '/user/password', {
      currentPassword: 'a',
      newPassword: 'b',
    });
    expect([password.status, (await jsonOf(password)).code]).toEqual([
      403,
      'APP_PASSWORD_NOT_SUPPORTED',
    ]);
  });

  it('the stream makes the phone online; a routed message wakes it, the pull is the ack, its states are the results', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);
    await register(device);
    const { stream, events } = await connect(headers, device);
    expect(await deviceView(headers, device.id)).toMatchObject({
      online: true,
      transport: 'sse',
      appVersion: '1.68.0',
    });

    const id = await send(headers, 'Hello from the app');
    await eventually(
      async () => events,
      (seen) => seen.some((event) => event.type === 'MessageEnqueued'),
    );
    expect(events.filter((event) => event.type === 'message')).toEqual([]);
    for (const event of events) expect(() => JSON.parse(event.data)).not.toThrow();

    const pulled = await pull(device.token);
    expect(pulled).toEqual([
      expect.objectContaining({
        id,
        textMessage: { text: 'Hello from the app' },
        phoneNumbers: ['+14155550142'],
        withDeliveryReport: true,
        isEncrypted: false,
        state: 'Pending',
      }),
    ]);
    // Null fields are left out, as Gson would write them.
    expect(Object.values(pulled[0])).not.toContain(null);
    expect((await deviceView(headers, device.id)).inFlight).toBe(1);
    // Pulled again (the answer may have been lost): given again.
    expect((await pull(device.token)).map((message) => message.id)).toEqual([id]);

    expect((await patch(device.token, id, 'Processed')).status).toBe(204);
    expect((await messageOf(headers, id)).status).toBe('sending');
    expect((await patch(device.token, id, 'Sent')).status).toBe(204);
    expect(await messageOf(headers, id)).toMatchObject({ status: 'sent', deviceId: device.id });
    expect((await deviceView(headers, device.id)).inFlight).toBe(0);
    expect(await pull(device.token)).toEqual([]);

    // The app repeats states of messages it has: no change, and not counted as a second send.
    const duplicatesBefore = await possibleDuplicates(app, 'device_sent_after_reroute');
    expect((await patch(device.token, id, 'Sent')).status).toBe(204);
    expect(await possibleDuplicates(app, 'device_sent_after_reroute')).toBe(duplicatesBefore);
    expect((await patch(device.token, id, 'Delivered')).status).toBe(204);
    expect((await messageOf(headers, id)).status).toBe('delivered');
    expect((await patch(device.token, id, 'Sent')).status).toBe(204);
    expect((await messageOf(headers, id)).status).toBe('delivered');

    const failing = await send(headers, 'No signal');
    await eventually(
      () => pull(device.token),
      (messages) => messages.some((message) => message.id === failing),
    );
    const error =
      'Send result: RESULT_ERROR_NO_SERVICE (Failed because service is currently unavailable)';
    expect((await patch(device.token, failing, 'Failed', error)).status).toBe(204);
    expect(await messageOf(headers, failing)).toMatchObject({
      status: 'failed',
      errorCode: 'RESULT_ERROR_NO_SERVICE',
      errorMessage: error,
    });

    stream.close();
    await eventually(
      () => deviceView(headers, device.id),
      (view) => view.online === false && view.transport === null,
    );
  });

  it('messages of other phones are never given to a phone nor changed by its reports', async () => {
    const { headers } = await createAccount(app);
    const [mine, theirs] = [await createDevice(app, headers), await createDevice(app, headers)];
    const stranger = await createAccount(app);
    const strangerDevice = await createDevice(app, stranger.headers);
    await register(mine);
    await register(strangerDevice);
    await connect(headers, mine);

    const id = await send(headers, 'Only for mine', { deviceId: mine.id });
    await eventually(
      () => pull(mine.token),
      (messages) => messages.some((message) => message.id === id),
    );
    // Another device of the same account, and a device of another account, pull nothing and
    // report in vain.
    expect(await pull(theirs.token)).toEqual([]);
    expect(await pull(strangerDevice.token)).toEqual([]);
    for (const token of [theirs.token, strangerDevice.token]) {
      for (const state of ['Processed', 'Sent', 'Delivered', 'Failed']) {
        expect((await patch(token, id, state, 'nope')).status).toBe(204);
      }
    }
    expect(await messageOf(headers, id)).toMatchObject({ status: 'sending' });
    // Ids that are no message at all are ignored too.
    expect((await patch(mine.token, 'not-a-uuid', 'Sent')).status).toBe(204);

    expect((await patch(mine.token, id, 'Sent')).status).toBe(204);
    expect((await messageOf(headers, id)).status).toBe('sent');
  });

  it('refuses malformed reports and orders with 400', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);
    const bad = [
      await appCall(base, device.token, 'GET', '/message?order=random'),
      await appCall(base, device.token, 'PATCH', '/message', { id: 'x', state: 'Sent' }),
      await appCall(base, device.token, 'PATCH', '/message', [
        { id: 'x', state: 'Lost', recipients: [] },
      ]),
      await appCall(base, device.token, 'PATCH', '/message', [{ id: 'x', state: 'Sent' }]),
    ];
    for (const response of bad) {
      expect([response.status, (await jsonOf(response)).code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('the stream is text/event-stream with keep-alive comments; a newer stream replaces it', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);
    const controller = new AbortController();
    const response = await fetch(`${base}/api/mobile/v1/events`, {
      headers: { Authorization: `Bearer ${device.token}`, 'User-Agent': APP_USER_AGENT },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream\b/);
    expect(response.headers.get('cache-control')).toMatch(/no-cache/);
    const reader = response.body!.getReader();
    let text = '';
    await eventually(
      async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text;
      },
      (seen) => (seen.match(/^: keepalive$/gm) ?? []).length >= 2,
    );

    // The app reconnects (a new stream) without the old one having closed: the newer wins.
    const { stream } = await connect(headers, device);
    await eventually(
      async () => reader.read(),
      (chunk) => chunk.done,
    );
    expect(stream.readyState).toBe(EventSource.OPEN);
    expect((await deviceView(headers, device.id)).online).toBe(true);
    controller.abort();
  });

  it('a deleted device: its stream is closed and every call answers 401', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);
    await register(device);
    const { stream } = await connect(headers, device);
    const errors: unknown[] = [];
    stream.addEventListener('error', (event) => errors.push(event));

    expect((await http().delete(`/api/v1/devices/${device.id}`).set(headers)).status).toBe(204);
    await eventually(
      async () => errors.length,
      (count) => count > 0,
    );
    const calls = [
      await appCall(base, device.token, 'POST', '/device', registration),
      await appCall(base, device.token, 'PATCH', '/device', { id: device.id }),
      await appCall(base, device.token, 'GET', '/device'),
      await appCall(base, device.token, 'GET', '/message?order=lifo'),
      await appCall(base, device.token, 'PATCH', '/message', []),
      await appCall(base, device.token, 'GET', '/events'),
    ];
    for (const response of calls) {
      expect([response.status, (await jsonOf(response)).code]).toEqual([
        401,
        'DEVICE_TOKEN_INVALID',
      ]);
    }
    stream.close();
  });
});
