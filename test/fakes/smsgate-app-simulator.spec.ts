import { createHmac } from 'node:crypto';
import {
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually } from '../helpers/eventually';
import {
  RecipientOutcome,
  SmsGateAppSimulator,
  SmsGateAppSimulatorOptions,
} from './smsgate-app-simulator';
import {
  formatGsonDate,
  gsonStringify,
  javaDateHash,
  javaStringHash,
  parseGsonDate,
} from './smsgate-gson';
import { OkHttpSseParser } from './smsgate-sse-client';

/**
 * The simulator against a small server that answers like the app expects and records every
 * request, so the requests themselves (paths, headers, bytes) are what is checked.
 */

const PRIVATE_TOKEN = 'sbd_private_token';
const DEVICE_TOKEN = 'device-token-1';
const SIGNING_KEY = 'k3y-for-tests';
const GSON_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

class RecordingMobileServer {
  readonly requests: Recorded[] = [];
  readonly streams = new Set<ServerResponse>();
  /** What GET /message answers (all of it, every time, like a server that awaits reports). */
  pending: unknown[] = [];
  webhookStatus = 200;
  patchDeviceStatus = 204;
  registerAnswer: unknown = {
    id: 'device-1',
    token: DEVICE_TOKEN,
    login: 'device-1',
    password: null,
  };
  messageContentType = 'application/json';
  eventsContentType = 'text/event-stream';
  eventsStatus = 200;
  settings: unknown = {
    gateway: { notification_channel: 'SSE_ONLY' },
    webhooks: { signing_key: SIGNING_KEY, retry_count: 3 },
    ping: { interval_seconds: 3600 },
  };
  private server: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get baseUrl(): string {
    return `${this.url}/api/mobile/v1`;
  }

  get webhooks() {
    return [
      { id: 'hook-in', url: `${this.url}/hooks/inbound`, event: 'sms:received' },
      { id: 'hook-ping', url: `${this.url}/hooks/ping`, event: 'system:ping' },
    ];
  }

  of(method: string, pathPrefix: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /** Writes raw bytes to every open event stream. */
  send(raw: string): void {
    for (const stream of this.streams) stream.write(raw);
  }

  closeStreams(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '';
    this.requests.push({
      method: req.method ?? '',
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const json = (status: number, body: unknown, contentType = 'application/json') => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(JSON.stringify(body));
    };
    const route = `${req.method} ${path.split('?')[0]}`;
    const deviceAuth = req.headers.authorization === `Bearer ${DEVICE_TOKEN}`;
    if (route === 'POST /api/mobile/v1/device') {
      if (req.headers.authorization !== `Bearer ${PRIVATE_TOKEN}`)
        return json(401, { message: 'bad token' });
      return json(201, this.registerAnswer);
    }
    if (route.startsWith('POST /hooks/')) {
      res.writeHead(this.webhookStatus).end();
      return;
    }
    if (!deviceAuth) return json(401, { message: 'unauthorized' });
    switch (route) {
      case 'GET /api/mobile/v1/device':
        return json(200, { externalIp: '203.0.113.7' });
      case 'PATCH /api/mobile/v1/device':
        res.writeHead(this.patchDeviceStatus).end();
        return;
      case 'GET /api/mobile/v1/settings':
        return json(200, this.settings);
      case 'GET /api/mobile/v1/webhooks':
        return json(200, this.webhooks);
      case 'GET /api/mobile/v1/message':
        return json(200, this.pending, this.messageContentType);
      case 'PATCH /api/mobile/v1/message':
        res.writeHead(204).end();
        return;
      case 'GET /api/mobile/v1/events':
        if (this.eventsStatus !== 200) return json(this.eventsStatus, { message: 'no' });
        res.writeHead(200, { 'content-type': this.eventsContentType, 'cache-control': 'no-cache' });
        res.write(':keepalive\n\n');
        this.streams.add(res);
        res.on('close', () => this.streams.delete(res));
        return;
      default:
        return json(404, { message: 'not found' });
    }
  }
}

describe('SmsGateAppSimulator', () => {
  let server: RecordingMobileServer;
  const phones: SmsGateAppSimulator[] = [];

  beforeEach(async () => {
    server = new RecordingMobileServer();
    await server.start();
  });

  afterEach(async () => {
    await Promise.all(phones.splice(0).map((phone) => phone.stop()));
    await server.stop();
  });

  function phone(options: Partial<SmsGateAppSimulatorOptions> = {}): SmsGateAppSimulator {
    const simulator = new SmsGateAppSimulator({
      baseUrl: server.baseUrl,
      privateToken: PRIVATE_TOKEN,
      name: 'Google/sdk_gphone64',
      timeZoneOffsetMinutes: 0,
      retryDelayMs: () => 50,
      webhookRetryDelayMs: () => 50,
      sseReconnectDelayMs: () => 50,
      ...options,
    });
    phones.push(simulator);
    return simulator;
  }

  /** Starts a phone and has the server announce its settings and webhooks, as ours must. */
  async function configuredPhone(options: Partial<SmsGateAppSimulatorOptions> = {}) {
    const simulator = phone(options);
    await simulator.start();
    await eventually(async () => simulator.sseConnected, Boolean);
    server.send('event: SettingsUpdated\ndata: null\n\nevent: WebhooksUpdated\ndata: null\n\n');
    await eventually(
      async () => simulator.webhookConfigs.length,
      (n) => n === 2,
    );
    await eventually(
      async () => simulator.setting('webhooks.signing_key'),
      (key) => key === SIGNING_KEY,
    );
    return simulator;
  }

  function message(id: string, fields: Record<string, unknown> = {}) {
    return {
      id,
      textMessage: { text: `text of ${id}` },
      phoneNumbers: ['+14155550101', '+14155550102'],
      withDeliveryReport: true,
      createdAt: new Date().toISOString(),
      ...fields,
    };
  }

  function reportsOf(id: string) {
    return server
      .of('PATCH', '/api/mobile/v1/message')
      .map(
        (r) =>
          JSON.parse(r.body) as Array<{
            id: string;
            state: string;
            recipients: Array<Record<string, unknown>>;
            states: Record<string, string>;
          }>,
      )
      .flat()
      .filter((patch) => patch.id === id);
  }

  describe('registration', () => {
    it('registers with the private token and exactly the body Gson writes, then opens the event stream', async () => {
      const simulator = phone({
        simCards: [
          { slotIndex: 0, phoneNumber: '+15550000001', carrierName: 'Acme Mobile', iccid: null },
          { slotIndex: 1, phoneNumber: null, carrierName: 'Tel', iccid: '89012600001' },
        ],
      });
      const registration = await simulator.start();

      expect(registration).toEqual({
        id: 'device-1',
        token: DEVICE_TOKEN,
        login: 'device-1',
        password: null,
      });
      const [register] = server.of('POST', '/api/mobile/v1/device');
      // pushToken and every null SIM field are left out; numbers, carrier and ICCID are redacted.
      expect(register.body).toBe(
        '{"name":"Google/sdk_gphone64","simCards":[' +
          '{"slotIndex":0,"simNumber":1,"phoneNumber":"********0001","carrierName":"*******bile"},' +
          '{"slotIndex":1,"simNumber":2,"carrierName":"****","iccid":"*******0001"}]}',
      );
      expect(register.headers).toMatchObject({
        authorization: `Bearer ${PRIVATE_TOKEN}`,
        'user-agent': 'me.capcom.smsgateway/1.68.0',
        'content-type': 'application/json',
        accept: 'application/json',
      });

      // The stream: the device token, OkHttp's own User-Agent, and a pull once it is open.
      await eventually(
        async () => server.of('GET', '/api/mobile/v1/message'),
        (list) => list.length === 1,
      );
      const [events] = server.of('GET', '/api/mobile/v1/events');
      expect(events.headers).toMatchObject({
        authorization: `Bearer ${DEVICE_TOKEN}`,
        accept: 'text/event-stream',
        'user-agent': 'okhttp/4.10.0',
      });
      expect(server.of('GET', '/api/mobile/v1/message')[0].path).toBe(
        '/api/mobile/v1/message?order=lifo',
      );
      // A first start finds no registration for its start-up workers: no settings, no webhooks.
      expect(server.of('GET', '/api/mobile/v1/settings')).toHaveLength(0);
      expect(server.of('GET', '/api/mobile/v1/webhooks')).toHaveLength(0);
    });

    it('fetches settings and webhooks when told to, and on a restart updates itself with PATCH /device', async () => {
      const simulator = await configuredPhone();
      expect(simulator.setting('gateway.notification_channel')).toBe('SSE_ONLY');
      expect(simulator.setting('ping.interval_seconds')).toBe(3600);

      const before = server.requests.length;
      await simulator.restart();
      const after = server.requests.slice(before);
      const patch = after.find((r) => r.method === 'PATCH' && r.path === '/api/mobile/v1/device')!;
      expect(patch.headers.authorization).toBe(`Bearer ${DEVICE_TOKEN}`);
      expect(patch.body).toBe(
        '{"id":"device-1","simCards":[{"slotIndex":0,"simNumber":1,"phoneNumber":"********0001",' +
          '"carrierName":"*************rier","iccid":"***************0001"}]}',
      );
      expect(after.some((r) => r.method === 'POST' && r.path === '/api/mobile/v1/device')).toBe(
        false,
      );
      await eventually(
        async () => server.requests.slice(before).map((r) => `${r.method} ${r.path}`),
        (paths) =>
          // The ping interval from /settings is read at start: this start pings at once.
          [
            'GET /api/mobile/v1/settings',
            'GET /api/mobile/v1/webhooks',
            'GET /api/mobile/v1/events',
            'POST /hooks/ping',
          ].every((p) => paths.includes(p)),
      );
    });

    it('asks GET /device for its public IP when its Local server is on too', async () => {
      const simulator = phone({ localServerEnabled: true });
      await simulator.start();
      expect(await simulator.fetchPublicIp()).toBe('203.0.113.7');
      const asks = await eventually(
        async () => server.of('GET', '/api/mobile/v1/device'),
        (list) => list.length === 2,
      );
      for (const ask of asks) expect(ask.headers['user-agent']).toBe('me.capcom.smsgateway/1.68.0');
      // On a first start it asks before it is registered: without a token (and is refused).
      expect(asks.map((ask) => ask.headers.authorization ?? null).sort()).toEqual([
        `Bearer ${DEVICE_TOKEN}`,
        null,
      ]);
    });

    it('registers anew when its PATCH /device is refused with 401', async () => {
      server.patchDeviceStatus = 401;
      const simulator = phone({
        registration: { id: 'old', token: DEVICE_TOKEN, login: 'old', password: null },
      });
      const registration = await simulator.start();
      expect(registration.id).toBe('device-1');
      const deviceCalls = server.requests.filter((r) => r.path === '/api/mobile/v1/device');
      expect(deviceCalls.map((r) => `${r.method} ${r.path}`)).toEqual([
        'PATCH /api/mobile/v1/device',
        'POST /api/mobile/v1/device',
      ]);
    });

    it('fails to register on an answer the app cannot read (a null login, a wrong token)', async () => {
      server.registerAnswer = { id: 'device-1', token: DEVICE_TOKEN, login: null, password: null };
      await expect(phone().start()).rejects.toThrow('"login" must be a string');
      await expect(phone({ privateToken: 'wrong' }).start()).rejects.toThrow('answered 401');
    });
  });

  describe('messages', () => {
    it('sends a message once per recipient and reports per-recipient and overall states with Gson dates', async () => {
      const simulator = await configuredPhone({ timeZoneOffsetMinutes: 120 });
      server.pending = [message('m1')];
      server.send('event: MessageEnqueued\ndata: null\n\n');

      await eventually(
        async () => reportsOf('m1').at(-1)?.state,
        (state) => state === 'Delivered',
      );
      expect(simulator.radioLog.map((sms) => sms.phoneNumber)).toEqual([
        '+14155550101',
        '+14155550102',
      ]);
      const last = reportsOf('m1').at(-1)!;
      expect(Object.keys(last)).toEqual(['id', 'state', 'recipients', 'states']);
      expect(last.recipients).toEqual([
        { phoneNumber: '+14155550101', state: 'Delivered' },
        { phoneNumber: '+14155550102', state: 'Delivered' },
      ]);
      expect(Object.keys(last.states)).toEqual(['Pending', 'Processed', 'Sent', 'Delivered']);
      for (const at of Object.values(last.states))
        expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+02:00$/);
      // Each state was reported in order; none went backwards.
      const order = ['Pending', 'Processed', 'Sent', 'Delivered'];
      const seen = reportsOf('m1').map((patch) => order.indexOf(patch.state));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const patch = server.of('PATCH', '/api/mobile/v1/message')[0];
      expect(patch.headers).toMatchObject({
        authorization: `Bearer ${DEVICE_TOKEN}`,
        'user-agent': 'me.capcom.smsgateway/1.68.0',
        'content-type': 'application/json',
      });
    });

    it('reports a failed recipient with its error, and the message as Sent when another got through', async () => {
      await configuredPhone({
        outcome: (sms): RecipientOutcome =>
          sms.phoneNumber === '+14155550101' ? { result: 'failed' } : { result: 'delivered' },
      });
      server.pending = [message('m2')];
      server.send('data: \n\n'); // an unnamed event is MessageEnqueued
      await eventually(
        async () => reportsOf('m2').at(-1),
        (patch) =>
          patch?.recipients[1]?.state === 'Delivered' && patch.recipients[0].state === 'Failed',
      );
      const last = reportsOf('m2').at(-1)!;
      expect(last.state).toBe('Sent');
      expect(last.recipients[0]).toEqual({
        phoneNumber: '+14155550101',
        state: 'Failed',
        error: 'Send result: RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)',
      });
    });

    it('fails an expired message with "TTL expired" without sending it', async () => {
      const simulator = await configuredPhone();
      server.pending = [message('m3', { validUntil: new Date(Date.now() - 1000).toISOString() })];
      await simulator.pullNow();
      await eventually(
        async () => reportsOf('m3').at(-1)?.state,
        (state) => state === 'Failed',
      );
      expect(reportsOf('m3').at(-1)!.recipients).toEqual([
        { phoneNumber: '+14155550101', state: 'Failed', error: 'TTL expired' },
        { phoneNumber: '+14155550102', state: 'Failed', error: 'TTL expired' },
      ]);
      expect(simulator.radioLog).toHaveLength(0);
    });

    it('re-reports a message it already has instead of sending it twice', async () => {
      const simulator = await configuredPhone();
      server.pending = [message('m4', { phoneNumbers: ['+14155550101'] })];
      await simulator.pullNow();
      await eventually(
        async () => reportsOf('m4').at(-1)?.state,
        (state) => state === 'Delivered',
      );
      const reportsBefore = reportsOf('m4').length;

      await simulator.pullNow(); // the server hands it out again
      await eventually(
        async () => reportsOf('m4').length,
        (n) => n === reportsBefore + 1,
      );
      expect(reportsOf('m4').at(-1)!.state).toBe('Delivered');
      expect(simulator.radioLog.filter((sms) => sms.messageId === 'm4')).toHaveLength(1);
    });

    it('stays Sent without a delivery report, and never reports in never-report mode', async () => {
      const simulator = await configuredPhone();
      server.pending = [
        message('m5', { withDeliveryReport: false, phoneNumbers: ['+14155550101'] }),
      ];
      await simulator.pullNow();
      await eventually(
        async () => reportsOf('m5').at(-1)?.state,
        (state) => state === 'Sent',
      );
      expect(simulator.messages.get('m5')!.state).toBe('Sent');

      const quiet = phone({ reportStates: false });
      await quiet.start();
      server.pending = [message('m6', { phoneNumbers: ['+14155550101'] })];
      await quiet.pullNow();
      await eventually(
        async () => quiet.messages.get('m6')?.state,
        (state) => state === 'Delivered',
      );
      expect(reportsOf('m6')).toHaveLength(0);
    });

    it('cancels a pending message on MessageCancelled and never sends it', async () => {
      const simulator = await configuredPhone();
      server.pending = [
        message('m7', { scheduleAt: new Date(Date.now() + 3_600_000).toISOString() }),
      ];
      await simulator.pullNow();
      await eventually(
        async () => simulator.messages.get('m7')?.state,
        (state) => state === 'Pending',
      );
      server.pending = [];
      server.send('event: MessageCancelled\ndata: {"messageId":"m7"}\n\n');
      await eventually(
        async () => reportsOf('m7').at(-1)?.state,
        (state) => state === 'Cancelled',
      );
      const last = reportsOf('m7').at(-1)!;
      expect(last.recipients.map((r) => r.state)).toEqual(['Cancelled', 'Cancelled']);
      expect(Object.keys(last.states)).toEqual(['Pending', 'Cancelled']);
      expect(simulator.radioLog).toHaveLength(0);
    });

    it('confirms a Cancelling message it never had as Cancelled', async () => {
      const simulator = await configuredPhone();
      server.pending = [message('m8', { state: 'Cancelling' })];
      await simulator.pullNow();
      await eventually(
        async () => reportsOf('m8').at(-1)?.state,
        (state) => state === 'Cancelled',
      );
      expect(Object.keys(reportsOf('m8').at(-1)!.states)).toEqual(['Cancelled']);
      expect(simulator.radioLog).toHaveLength(0);
    });

    it('sends on the SIM asked for, and fails a SIM the phone does not have', async () => {
      const simulator = await configuredPhone({ simCards: [{ slotIndex: 0 }, { slotIndex: 1 }] });
      server.pending = [
        message('m9', { simNumber: 2, phoneNumbers: ['+14155550101'] }),
        message('m10', { simNumber: 3, phoneNumbers: ['+14155550101'] }),
      ];
      await simulator.pullNow();
      await eventually(
        async () => reportsOf('m10').at(-1)?.state,
        (state) => state === 'Failed',
      );
      await eventually(
        async () => simulator.radioLog.length,
        (n) => n === 1,
      );
      expect(simulator.radioLog[0]).toMatchObject({ messageId: 'm9', simNumber: 2 });
      expect(reportsOf('m10').at(-1)!.recipients[0].error).toBe(
        "Can't send message: SIM 3 not found",
      );
    });

    it('does not read a list served without application/json', async () => {
      const simulator = await configuredPhone();
      server.messageContentType = 'text/plain';
      server.pending = [message('m11')];
      const errors: Error[] = [];
      simulator.on('error', (error: Error) => errors.push(error));
      await simulator.pullNow();
      expect(errors.map((e) => e.message).join()).toContain('is not application/json');
      expect(simulator.messages.has('m11')).toBe(false);
    });
  });

  describe('webhooks', () => {
    function verify(headers: IncomingHttpHeaders, body: string): boolean {
      const expected = createHmac('sha256', SIGNING_KEY)
        .update(body + String(headers['x-timestamp']))
        .digest('hex');
      return headers['x-signature'] === expected;
    }

    it('posts a signed sms:received exactly as the app writes it, once per SMS', async () => {
      const simulator = await configuredPhone({
        simCards: [
          { slotIndex: 0, phoneNumber: '+15550000001' },
          { slotIndex: 1, phoneNumber: '+15550000002' },
        ],
      });
      const receivedAt = new Date('2026-12-05T10:00:00.000Z');
      const [delivery] = await simulator.receiveSms('+14155550199', "Yes <&> = 'ok'", {
        simNumber: 2,
        receivedAt,
      });
      expect(delivery.status).toBe(200);

      const [posted] = server.of('POST', '/hooks/inbound');
      expect(verify(posted.headers, posted.body)).toBe(true);
      expect(Number(posted.headers['x-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
      expect(posted.headers['user-agent']).toBe('me.capcom.smsgateway/1.68.0');
      const body = JSON.parse(posted.body) as { id: string; payload: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['id', 'webhookId', 'event', 'deviceId', 'payload']);
      expect(body).toMatchObject({
        webhookId: 'hook-in',
        event: 'sms:received',
        deviceId: 'device-1',
      });
      expect(body.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
      expect(Object.keys(body.payload)).toEqual([
        'message',
        'receivedAt',
        'messageId',
        'sender',
        'recipient',
        'simNumber',
        'phoneNumber',
      ]);
      expect(body.payload).toMatchObject({
        message: "Yes <&> = 'ok'",
        receivedAt: '2026-12-05T10:00:00.000Z',
        sender: '+14155550199',
        recipient: '+15550000002',
        simNumber: 2,
        phoneNumber: '+14155550199',
      });
      // Gson's HTML-safe escaping is part of the signed bytes.
      expect(posted.body).toContain(
        '"message":"Yes \\u003c\\u0026\\u003e \\u003d \\u0027ok\\u0027"',
      );

      // The same SMS again (same sender, time, SIM and text) is a duplicate the app skips.
      expect(
        await simulator.receiveSms('+14155550199', "Yes <&> = 'ok'", { simNumber: 2, receivedAt }),
      ).toEqual([]);
      expect(server.of('POST', '/hooks/inbound')).toHaveLength(1);
    });

    it('retries a refused webhook with the same body and a fresh signature', async () => {
      const simulator = await configuredPhone();
      server.webhookStatus = 500;
      await simulator.receiveSms('+14155550199', 'hello');
      await eventually(
        async () => server.of('POST', '/hooks/inbound'),
        (list) => list.length === 3,
      );
      const attempts = server.of('POST', '/hooks/inbound');
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
      for (const attempt of attempts) expect(verify(attempt.headers, attempt.body)).toBe(true);
      // retry_count 3 from /settings: no fourth attempt.
      expect(
        simulator.webhookLog.filter((d) => d.event === 'sms:received').map((d) => d.attempt),
      ).toEqual([1, 2, 3]);
    });

    it('pings with battery, charging and connectivity in the app health format', async () => {
      const simulator = await configuredPhone({
        battery: { level: 42, plugged: 'usb', charging: true },
        connectivity: { online: true, transports: ['cellular'], cellular: 'Mobile4G' },
      });
      await simulator.ping();
      const [posted] = server.of('POST', '/hooks/ping');
      expect(verify(posted.headers, posted.body)).toBe(true);
      const { payload } = JSON.parse(posted.body) as {
        payload: { health: Record<string, unknown> };
      };
      expect(Object.keys(payload.health)).toEqual(['version', 'releaseId', 'status', 'checks']);
      expect(payload.health).toMatchObject({
        version: '1.68.0',
        status: 'pass',
        checks: {
          'battery:level': { status: 'pass', observedValue: 42, observedUnit: 'percent' },
          'battery:charging': { status: 'pass', observedValue: 5, observedUnit: 'flags' },
          'connection:status': { status: 'pass', observedValue: 1, observedUnit: 'boolean' },
          'connection:transport': { observedValue: 2, observedUnit: 'flags' },
          'connection:cellular': { observedValue: 4, observedUnit: 'index' },
        },
      });
    });
  });

  describe('event stream', () => {
    it('reconnects after the server ends the stream, and after a refused or mistyped one', async () => {
      const simulator = phone();
      const failures: Array<number | undefined> = [];
      simulator.on('sse:failure', (_error: Error, status?: number) => failures.push(status));
      await simulator.start();
      await eventually(async () => simulator.sseConnected, Boolean);

      server.eventsStatus = 401;
      server.closeStreams();
      await eventually(
        async () => failures,
        (list) => list.includes(401),
      );
      server.eventsStatus = 200;
      server.eventsContentType = 'application/json';
      await eventually(
        async () => failures,
        (list) => list.length >= 2 && list.at(-1) === 200,
      );
      server.eventsContentType = 'text/event-stream; charset=utf-8';
      await eventually(async () => simulator.sseConnected, Boolean);
      // Every (re)open pulls, as the app's onConnected does.
      await eventually(
        async () => server.of('GET', '/api/mobile/v1/message').length,
        (n) => n >= 2,
      );
    });

    it('ignores an unknown event name, and a cancel without a message id', async () => {
      const simulator = phone();
      const errors: string[] = [];
      simulator.on('error', (error: Error) => errors.push(error.message));
      await simulator.start();
      await eventually(async () => simulator.sseConnected, Boolean);
      server.send('event: SomethingNew\ndata: {}\n\nevent: MessageCancelled\ndata: null\n\n');
      await eventually(
        async () => errors,
        (list) => list.length === 2,
      );
      expect(errors[0]).toBe('Unknown event type: SomethingNew');
      expect(simulator.sseConnected).toBe(true);
    });
  });
});

describe('OkHttpSseParser', () => {
  it('dispatches only events with data, joins data lines and resets the name per event', () => {
    const events: Array<[string | null, string]> = [];
    const parser = new OkHttpSseParser((type, data) => events.push([type, data]));
    parser.push(':keepalive\r\n\r\nevent: MessageEnqueued\r\ndata: null\r');
    parser.push('\n\r\nevent: Orphan\n\ndata:a\ndata: b\nid: 7\nretry: 10\n\n');
    parser.push('data\n\n');
    expect(events).toEqual([
      ['MessageEnqueued', 'null'],
      [null, 'a\nb'],
      [null, ''],
    ]);
  });
});

describe('Gson output', () => {
  it('writes dates in the app pattern at the phone offset', () => {
    const date = new Date('2026-12-05T10:20:30.045Z');
    expect(formatGsonDate(date, 0)).toBe('2026-12-05T10:20:30.045Z');
    expect(formatGsonDate(date, 330)).toBe('2026-12-05T15:50:30.045+05:30');
    expect(formatGsonDate(date, -480)).toBe('2026-12-05T02:20:30.045-08:00');
    expect(formatGsonDate(date, 60)).toMatch(GSON_DATE);
  });

  it('reads ISO 8601 dates and refuses others', () => {
    expect(parseGsonDate('2026-12-05T10:20:30Z', 'x')!.toISOString()).toBe(
      '2026-12-05T10:20:30.000Z',
    );
    expect(parseGsonDate('2026-12-05T12:20:30.5+02:00', 'x')!.toISOString()).toBe(
      '2026-12-05T10:20:30.500Z',
    );
    expect(parseGsonDate(null, 'x')).toBeNull();
    expect(() => parseGsonDate('05/12/2026', 'x')).toThrow('not a date');
  });

  it('leaves out null fields, keeps nulls in lists, and escapes like Gson', () => {
    expect(
      gsonStringify({ a: 1, b: null, c: undefined, d: [null, 'x'], e: "<a href='x'>&=</a>\u2028" }),
    ).toBe(
      '{"a":1,"d":[null,"x"],"e":"\\u003ca href\\u003d\\u0027x\\u0027\\u003e\\u0026\\u003d\\u003c/a\\u003e\\u2028"}',
    );
    expect(gsonStringify('tab\there\u0001')).toBe('"tab\\there\\u0001"');
  });

  it('hashes like Java', () => {
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('+14155550123')).toBe(javaStringHash('+14155550123'));
    expect(javaDateHash(new Date(0))).toBe(0);
    // new Date(1733392800000L).hashCode() in Java: (int) (t ^ (t >>> 32))
    expect(javaDateHash(new Date(1733392800000))).toBe(-1773987693);
  });
});
