import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { FakeTwilio } from './fake-twilio';

interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A tiny webhook receiver standing in for Switchboard's `/webhooks/twilio/status`. */
class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  answerWith = 204;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<CallbackReceiver> {
    const receiver: CallbackReceiver = new CallbackReceiver(
      createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          receiver.received.push({
            headers: req.headers,
            params: Object.fromEntries(new URLSearchParams(body)),
          });
          res.writeHead(receiver.answerWith).end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/twilio/status`;
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server.closeAllConnections();
    await closed;
  }
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function createMessage(
  fake: FakeTwilio,
  params: Record<string, string>,
  authorization = basicAuth(fake.accountSid, fake.authToken),
): Promise<Response> {
  return fetch(`${fake.baseUrl}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

/** The fields of Twilio's message resource that these tests read. */
interface MessageResource {
  sid: string;
  num_segments: string;
  date_created: string;
  date_updated: string;
}

async function messageOf(response: Response | Promise<Response>): Promise<MessageResource> {
  return (await (await response).json()) as MessageResource;
}

const SMS = { To: '+15005550006', From: '+15005550001', Body: 'Hello from Switchboard' };

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FakeTwilio', () => {
  let fake: FakeTwilio;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    receiver = await CallbackReceiver.start();
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setAutoCallbacks(undefined);
    receiver.received.length = 0;
    receiver.answerWith = 204;
  });

  it('creates a message with the shape Twilio answers with, and records it', async () => {
    const response = await createMessage(fake, { ...SMS, StatusCallback: receiver.url });

    expect(response.status).toBe(201);
    const message = await messageOf(response);
    expect(message).toMatchObject({
      account_sid: fake.accountSid,
      to: SMS.To,
      from: SMS.From,
      body: SMS.Body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      date_sent: null,
      error_code: null,
      error_message: null,
      price: null,
      api_version: '2010-04-01',
      uri: `/2010-04-01/Accounts/${fake.accountSid}/Messages/${message.sid}.json`,
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(message.date_updated).toBe(message.date_created);

    expect(fake.messages).toEqual([
      expect.objectContaining({
        sid: message.sid,
        to: SMS.To,
        from: SMS.From,
        body: SMS.Body,
        statusCallback: receiver.url,
      }),
    ]);
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`,
        params: { ...SMS, StatusCallback: receiver.url },
        receivedAt: expect.any(Date),
      }),
    ]);
    expect(fake.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('counts segments as GSM-7 or UCS-2', async () => {
    const segments = async (Body: string) =>
      (await messageOf(createMessage(fake, { ...SMS, Body }))).num_segments;

    expect(await segments('a'.repeat(160))).toBe('1');
    expect(await segments('a'.repeat(161))).toBe('2');
    expect(await segments('€'.repeat(80))).toBe('1');
    expect(await segments('😀'.repeat(35))).toBe('1');
    expect(await segments('😀'.repeat(36))).toBe('2');
  });

  it('accepts a MessagingServiceSid instead of From', async () => {
    const response = await createMessage(fake, {
      To: SMS.To,
      Body: SMS.Body,
      MessagingServiceSid: 'MG00000000000000000000000000000000',
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      from: null,
      messaging_service_sid: 'MG00000000000000000000000000000000',
    });
  });

  it('fetches a message by sid, and answers 404 for an unknown one', async () => {
    const created = await messageOf(createMessage(fake, SMS));
    const get = (sid: string) =>
      fetch(`${fake.baseUrl}/2010-04-01/Accounts/${fake.accountSid}/Messages/${sid}.json`, {
        headers: { Authorization: basicAuth(fake.accountSid, fake.authToken) },
      });

    const found = await get(created.sid);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(created);

    const missing = await get('SM00000000000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 20404, status: 404 });
  });

  it.each([
    ['a wrong auth token', (f: FakeTwilio) => basicAuth(f.accountSid, 'wrong')],
    ['no credentials', () => ''],
    ['another account SID', () => basicAuth('AC' + '0'.repeat(32), 'whatever')],
  ])('answers 401 (20003) to %s', async (_case, authorization) => {
    const response = await createMessage(fake, SMS, authorization(fake));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    expect(fake.messages).toHaveLength(0);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ['To', 21604],
    ['Body', 21602],
    ['From', 21603],
  ])('answers 400 when %s is missing (%i)', async (field, code) => {
    const params: Record<string, string> = { ...SMS };
    delete params[field];

    const response = await createMessage(fake, params);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: 400,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('fails the next creates in order, then succeeds again', async () => {
    fake.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    fake.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests' });

    const first = await createMessage(fake, SMS);
    const second = await createMessage(fake, SMS);
    const third = await createMessage(fake, SMS);

    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ code: 20500, status: 500 });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: 20429, status: 429 });
    expect(third.status).toBe(201);
    expect(fake.messages).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('rejects an invalid number with 21211', async () => {
    const message = "The 'To' number +15005550001 is not a valid phone number.";
    fake.failNext(1, { status: 400, code: 21211, message });

    const response = await createMessage(fake, SMS);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 21211,
      message,
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
  });

  it('drops the response of an accepted message, and counts the duplicate of a retry', async () => {
    fake.dropNext(1);

    await expect(createMessage(fake, SMS)).rejects.toThrow();
    expect(fake.messages).toHaveLength(1);
    expect(fake.duplicateBodies()).toEqual([]);

    expect((await createMessage(fake, SMS)).status).toBe(201);
    expect(fake.messages).toHaveLength(2);
    expect(fake.duplicateBodies()).toEqual([{ to: SMS.To, body: SMS.Body, count: 2 }]);
    expect(fake.messagesTo(SMS.To)).toHaveLength(2);
    expect(fake.messagesTo('+15005550009')).toEqual([]);
  });

  it('delays every response by the configured latency', async () => {
    fake.setLatency(200);
    const started = Date.now();

    const response = await createMessage(fake, SMS);

    expect(response.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    // Accepted on arrival, like Twilio: the delay is on the way back.
    expect(fake.messages[0].dateCreated.getTime() - started).toBeLessThan(150);
  });

  it('holds requests unanswered, messages accepted, until released', async () => {
    fake.holdRequests();
    let answered = 0;
    const responses = [1, 2, 3].map((n) =>
      createMessage(fake, { ...SMS, Body: `held ${n}` }).then((response) => {
        answered++;
        return response;
      }),
    );
    await fake.waitForHeldRequests(3);
    expect(fake.requestsHeld).toBe(3);
    expect(fake.mostRequestsInFlight).toBe(3);
    expect(fake.messages.map((message) => message.body).sort()).toEqual([
      'held 1',
      'held 2',
      'held 3',
    ]);
    expect(answered).toBe(0);

    fake.releaseRequests();
    expect((await Promise.all(responses)).map((response) => response.status)).toEqual([
      201, 201, 201,
    ]);
    expect(fake.requestsHeld).toBe(0);
    // No longer holding: the next one is answered at once.
    expect((await createMessage(fake, SMS)).status).toBe(201);
    await expect(fake.waitForHeldRequests(1, 50)).rejects.toThrow(
      'FakeTwilio: expected 1 held request(s) within 50 ms, but 0 are held',
    );
  });

  it('posts a status callback signed like Twilio, and returns the answer', async () => {
    const { sid } = await messageOf(createMessage(fake, { ...SMS, StatusCallback: receiver.url }));
    receiver.answerWith = 200;

    const answered = await fake.sendStatusCallback(sid, 'undelivered', { errorCode: 30003 });

    expect(answered).toBe(200);
    expect(receiver.received).toHaveLength(1);
    const [{ headers, params }] = receiver.received;
    expect(params).toEqual({
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: 'undelivered',
      SmsStatus: 'undelivered',
      AccountSid: fake.accountSid,
      From: SMS.From,
      To: SMS.To,
      ErrorCode: '30003',
      ApiVersion: '2010-04-01',
    });
    const signature = headers['x-twilio-signature'] as string;
    expect(twilio.validateRequest(fake.authToken, signature, receiver.url, params)).toBe(true);
    expect(twilio.validateRequest('another-token', signature, receiver.url, params)).toBe(false);
    expect(fake.messages[0]).toMatchObject({ status: 'undelivered', errorCode: 30003 });
  });

  it('sends automatic callbacks, sent then delivered', async () => {
    fake.setAutoCallbacks({ statuses: ['sent', 'delivered'], delayMs: 20 });
    const { sid } = await messageOf(createMessage(fake, { ...SMS, StatusCallback: receiver.url }));

    await until(() => receiver.received.length === 2);

    expect(
      receiver.received.map(({ params }) => [params.MessageSid, params.MessageStatus]),
    ).toEqual([
      [sid, 'sent'],
      [sid, 'delivered'],
    ]);
    expect(receiver.received.every(({ params }) => params.ErrorCode === undefined)).toBe(true);
    expect(fake.messages[0].status).toBe('delivered');
    expect(fake.messages[0].dateSent).toBeInstanceOf(Date);
    expect(fake.callbackErrors).toBe(0);
  });

  it('counts automatic callbacks that fail instead of crashing', async () => {
    fake.setAutoCallbacks({ statuses: ['sent'], delayMs: 0 });
    receiver.answerWith = 500;

    await createMessage(fake, { ...SMS, StatusCallback: receiver.url });
    await createMessage(fake, { ...SMS, StatusCallback: 'http://127.0.0.1:1/unreachable' });

    await until(() => fake.callbackErrors === 2);
    expect(receiver.received).toHaveLength(1);
  });

  it('waits for messages, and times out with a clear error', async () => {
    const waited = fake.waitForMessages(2, 2_000);
    await createMessage(fake, SMS);
    await createMessage(fake, SMS);
    expect(await waited).toHaveLength(2);

    await expect(fake.waitForMessages(3, 50)).rejects.toThrow(
      'FakeTwilio: expected 3 message(s) within 50 ms, but 2 arrived',
    );
  });

  it('reset() forgets faults, latency and what it recorded', async () => {
    fake.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    fake.setLatency(300);
    await createMessage(fake, SMS);

    fake.reset();
    const started = Date.now();
    const response = await createMessage(fake, SMS);

    expect(response.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(200);
    expect(fake.requests).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
  });

  it('closes at once even with keep-alive connections open', async () => {
    const other = await FakeTwilio.start();
    await messageOf(createMessage(other, SMS));
    other.setLatency(10_000);
    const pending = createMessage(other, SMS);
    await until(() => other.requests.length === 2);

    const started = Date.now();
    await other.close();

    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });

  describe('with the official twilio SDK', () => {
    // The SDK only ever calls request(); it normally goes to https://api.twilio.com.
    const sdkClient = () => {
      const httpClient = {
        async request(opts: {
          method: string;
          uri: string;
          username: string;
          password: string;
          headers: Record<string, string>;
          data?: Record<string, string>;
        }) {
          const response = await fetch(opts.uri.replace('https://api.twilio.com', fake.baseUrl), {
            method: opts.method.toUpperCase(),
            headers: { ...opts.headers, Authorization: basicAuth(opts.username, opts.password) },
            body: opts.data && new URLSearchParams(opts.data).toString(),
          });
          return {
            statusCode: response.status,
            body: await response.text(),
            headers: Object.fromEntries(response.headers),
          };
        },
      };
      return twilio(fake.accountSid, fake.authToken, {
        httpClient: httpClient as unknown as twilio.RequestClient,
      });
    };

    it('creates a message', async () => {
      const message = await sdkClient().messages.create({
        to: SMS.To,
        from: SMS.From,
        body: SMS.Body,
        statusCallback: receiver.url,
      });

      expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(message.status).toBe('queued');
      expect(message.numSegments).toBe('1');
      expect(message.dateCreated).toBeInstanceOf(Date);
      expect(fake.messages).toEqual([
        expect.objectContaining({ sid: message.sid, statusCallback: receiver.url }),
      ]);
    });

    it('rejects with the Twilio error code and status of a fault', async () => {
      fake.failNext(1, {
        status: 400,
        code: 21211,
        message: "The 'To' number +15005550001 is not a valid phone number.",
      });

      await expect(
        sdkClient().messages.create({ to: SMS.To, from: SMS.From, body: SMS.Body }),
      ).rejects.toMatchObject({ code: 21211, status: 400 });
    });
  });
});
