import { NestExpressApplication } from '@nestjs/platform-express';
import Client, { HttpClient, MessageState, ProcessState } from 'android-sms-gateway';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageDraft, MessageStatus, RequestProgress, RequestedRoute } from '@app/messaging';
import { MessageRepository } from '@app/messaging/model/message.repository';
import { requestProgressOf } from '@app/messaging/model/request-progress';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { urlOf } from './helpers/test-app';
import { TestStack, startStack } from './helpers/test-stack';

const POOL = ['+12015550170', '+12015550171'];

/** A non-2xx answer, kept whole so that tests can look at its problem details. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/** The fetch-based HTTP client of the npm client's README, failing on a non-2xx answer. */
const fetchHttpClient: HttpClient = (() => {
  const call = async <T>(method: string, url: string, body?: unknown, headers = {}) => {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await response.json()) as T;
    if (!response.ok) throw new HttpError(response.status, parsed as Record<string, unknown>);
    return parsed;
  };
  return {
    get: (url, headers) => call('GET', url, undefined, headers),
    post: (url, body, headers) => call('POST', url, body, headers),
    put: (url, body, headers) => call('PUT', url, body, headers),
    patch: (url, body, headers) => call('PATCH', url, body, headers),
    delete: (url, headers) => call('DELETE', url, undefined, headers),
  };
})();

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('the SMS Gateway for Android client API (/3rdparty/v1)', () => {
  let stack: TestStack;
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let account: Awaited<ReturnType<typeof createAccount>>;
  let auth: string;
  let client: Client;

  const http = () => request(app.getHttpServer());
  const clientFor = (password: string) =>
    new Client('switchboard', password, fetchHttpClient, `${urlOf(app)}/3rdparty/v1`);
  const stateOf = (id: string, accept: (state: MessageState) => boolean) =>
    eventually(() => client.getState(id), accept, 15_000);

  beforeAll(async () => {
    stack = await startStack(POOL);
    ({ fake, app } = stack);
    account = await createAccount(app);
    auth = basic(account.account.id, account.key);
    client = clientFor(account.key);
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => fake.reset());

  it('sends one text to 3 numbers as 3 Switchboard messages under one id, through the npm client, up to Delivered', async () => {
    const numbers = ['+14155550171', '+14155550172', '+14155550173'];
    // Every optional field as the npm client's types allow it: null.
    const accepted = await client.send(
      {
        id: null,
        phoneNumbers: numbers,
        message: 'Hello from a script',
        ttl: null,
        simNumber: null,
        withDeliveryReport: null,
      },
      { skipPhoneValidation: false },
    );
    expect(accepted.state).toBe(ProcessState.Pending);
    expect(accepted.recipients).toEqual(
      numbers.map((phoneNumber) => ({ phoneNumber, state: ProcessState.Pending })),
    );

    const listed = await http()
      .get('/api/v1/messages')
      .query({ limit: 100 })
      .set(account.headers)
      .expect(200);
    const mine = listed.body.data.filter(
      (message: { externalId: string }) => message.externalId === accepted.id,
    );
    expect(mine.map((message: { to: string }) => message.to).sort()).toEqual(numbers);
    expect(mine.every((message: { body: string }) => message.body === 'Hello from a script')).toBe(
      true,
    );

    const sent = await stateOf(accepted.id, (state) => state.state === ProcessState.Sent);
    expect(sent.recipients.map((recipient) => recipient.state)).toEqual([
      ProcessState.Sent,
      ProcessState.Sent,
      ProcessState.Sent,
    ]);
    expect(fake.messages.map((message) => message.to).sort()).toEqual(numbers);

    // One delivery report: that recipient is Delivered, the request as a whole still Sent.
    expect(await fake.sendStatusCallback(fake.messagesTo(numbers[0])[0].sid, 'delivered')).toBe(
      204,
    );
    const partly = await stateOf(accepted.id, (state) =>
      state.recipients.some((recipient) => recipient.state === ProcessState.Delivered),
    );
    expect(partly.state).toBe(ProcessState.Sent);
    expect(partly.recipients.find((r) => r.phoneNumber === numbers[0])?.state).toBe(
      ProcessState.Delivered,
    );

    for (const number of numbers.slice(1)) {
      expect(await fake.sendStatusCallback(fake.messagesTo(number)[0].sid, 'delivered')).toBe(204);
    }
    const delivered = await stateOf(accepted.id, (state) => state.state === 'Delivered');
    expect(delivered.recipients.every((r) => r.state === ProcessState.Delivered)).toBe(true);
    expect(delivered).toMatchObject({
      id: accepted.id,
      isHashed: false,
      isEncrypted: false,
      states: {
        Pending: expect.any(String),
        Sent: expect.any(String),
        Delivered: expect.any(String),
      },
    });
  });

  it('reports Processed while the message is being sent, and Failed with the reason when it fails', async () => {
    fake.holdRequests();
    const accepted = await client.send({ phoneNumbers: ['+14155550174'], message: 'Held' });
    await stateOf(accepted.id, (state) => state.state === ProcessState.Processed);
    fake.releaseRequests();
    const sent = await stateOf(accepted.id, (state) => state.state === ProcessState.Sent);
    const sid = fake.messagesTo('+14155550174')[0].sid;
    expect(await fake.sendStatusCallback(sid, 'undelivered', { errorCode: 30003 })).toBe(204);
    const failed = await stateOf(accepted.id, (state) => state.state === ProcessState.Failed);
    expect(failed.recipients).toEqual([
      { phoneNumber: '+14155550174', state: ProcessState.Failed, error: expect.any(String) },
    ]);
    expect(sent.id).toBe(accepted.id);
  });

  it('takes textMessage and its own id on /messages, replays a retry, and refuses the id for other content', async () => {
    const body = {
      id: 'order-1234',
      textMessage: { text: 'Your order has shipped' },
      phoneNumbers: ['+14155550175', '+14155550176'],
      withDeliveryReport: true,
      priority: 0,
      ttl: 3600,
    };
    const first = await http()
      .post('/3rdparty/v1/messages?skipPhoneValidation=true&deviceActiveWithin=12')
      .set('Authorization', auth)
      .send(body)
      .expect(202);
    expect(first.headers.location).toBe('/3rdparty/v1/messages/order-1234');
    expect(first.body).toMatchObject({ id: 'order-1234', state: 'Pending' });

    const retry = await http()
      .post('/3rdparty/v1/messages')
      .set('Authorization', auth)
      .send(body)
      .expect(202);
    expect(retry.body.id).toBe('order-1234');
    const state = await http()
      .get('/3rdparty/v1/messages/order-1234')
      .set('Authorization', auth)
      .expect(200);
    expect(state.body.recipients).toHaveLength(2);
    const stored = await http()
      .get('/api/v1/messages')
      .query({ limit: 100 })
      .set(account.headers)
      .expect(200);
    const withId = stored.body.data.filter(
      (message: { externalId: string }) => message.externalId === 'order-1234',
    );
    expect(withId).toHaveLength(2);
    expect(withId[0].expiresAt).toEqual(expect.any(String));

    const reused = await http()
      .post('/3rdparty/v1/messages')
      .set('Authorization', auth)
      .send({ ...body, textMessage: { text: 'Something else' } })
      .expect(409);
    expect(reused.body.code).toBe('MESSAGE_ID_TAKEN');
    expect(reused.headers['content-type']).toContain('application/problem+json');

    // Past the retention of the request's key, the stored messages still hold the id.
    await app
      .get(DataSource)
      .query(`DELETE FROM idempotency_keys WHERE account_id = $1 AND key LIKE '%order-1234'`, [
        account.account.id,
      ]);
    const later = await http()
      .post('/3rdparty/v1/messages')
      .set('Authorization', auth)
      .send(body)
      .expect(409);
    expect(later.body.code).toBe('MESSAGE_ID_TAKEN');
  });

  it('stores one request for concurrent duplicates with the same id', async () => {
    const body = { id: 'twice-at-once', message: 'Once', phoneNumbers: ['+14155550179'] };
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        http().post('/3rdparty/v1/messages').set('Authorization', auth).send(body),
      ),
    );
    expect(answers.map((answer) => [answer.status, answer.body.id])).toEqual([
      [202, 'twice-at-once'],
      [202, 'twice-at-once'],
      [202, 'twice-at-once'],
    ]);
    const state = await client.getState('twice-at-once');
    expect(state.recipients).toHaveLength(1);
  });

  it('cancels a scheduled request with DELETE, on either path, and refuses a second cancel', async () => {
    const scheduleAt = new Date(Date.now() + 3_600_000).toISOString();
    const accepted = await http()
      .post('/3rdparty/v1/message')
      .set('Authorization', auth)
      .send({ message: 'Later', phoneNumbers: ['+14155550177', '+14155550178'], scheduleAt })
      .expect(202);
    const id = accepted.body.id as string;

    const canceled = await http()
      .delete(`/3rdparty/v1/messages/${id}`)
      .set('Authorization', auth)
      .expect(200);
    expect(canceled.body.state).toBe('Failed');
    expect(canceled.body.recipients).toEqual([
      { phoneNumber: expect.any(String), state: 'Failed', error: 'canceled' },
      { phoneNumber: expect.any(String), state: 'Failed', error: 'canceled' },
    ]);
    const stored = await http()
      .get('/api/v1/messages')
      .query({ status: 'canceled', limit: 100 })
      .set(account.headers)
      .expect(200);
    expect(
      stored.body.data.filter((message: { externalId: string }) => message.externalId === id),
    ).toHaveLength(2);

    const again = await http()
      .delete(`/3rdparty/v1/message/${id}`)
      .set('Authorization', auth)
      .expect(409);
    expect(again.body.code).toBe('MESSAGE_NOT_CANCELABLE');
    expect(fake.messagesTo('+14155550177')).toHaveLength(0);
  });

  it("lists the account's requests with the client's filters and X-Total-Count", async () => {
    const own = await createAccount(app);
    const ownAuth = basic('anyone', own.key);
    const send = (text: string, phoneNumbers: string[], extra: object = {}) =>
      http()
        .post('/3rdparty/v1/messages')
        .set('Authorization', ownAuth)
        .send({ textMessage: { text }, phoneNumbers, ...extra })
        .expect(202);
    const first = await send('First', ['+14155550181', '+14155550182']);
    const second = await send('Second', ['+14155550183']);
    const scheduled = await send('Third', ['+14155550184'], {
      scheduleAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // A message sent through /api/v1 is a request of its own, named by its message id.
    const plain = await http()
      .post('/api/v1/messages')
      .set(own.headers)
      .send({ to: '+14155550185', body: 'Plain' })
      .expect(202);

    const all = await http().get('/3rdparty/v1/messages').set('Authorization', ownAuth).expect(200);
    expect(all.headers['x-total-count']).toBe('4');
    expect(all.body.map((state: { id: string }) => state.id)).toEqual([
      plain.body.id,
      scheduled.body.id,
      second.body.id,
      first.body.id,
    ]);
    expect(all.body[3].recipients).toHaveLength(2);
    expect(all.body[3].textMessage).toBeUndefined();

    const page = await http()
      .get('/3rdparty/v1/messages')
      .query({ sort: 'created_at', limit: 2, offset: 1, includeContent: true })
      .set('Authorization', ownAuth)
      .expect(200);
    expect(page.headers['x-total-count']).toBe('4');
    expect(page.body.map((state: { id: string }) => state.id)).toEqual([
      second.body.id,
      scheduled.body.id,
    ]);
    expect(page.body[0].textMessage).toEqual({ text: 'Second' });

    const pending = await http()
      .get('/3rdparty/v1/messages')
      .query({ state: 'Pending' })
      .set('Authorization', ownAuth)
      .expect(200);
    expect(pending.body.map((state: { id: string }) => state.id)).toContain(scheduled.body.id);
    expect(pending.body.every((state: { state: string }) => state.state === 'Pending')).toBe(true);

    const plainState = await http()
      .get(`/3rdparty/v1/messages/${plain.body.id}`)
      .set('Authorization', ownAuth)
      .expect(200);
    expect(plainState.body.recipients).toEqual([
      expect.objectContaining({ phoneNumber: '+14155550185' }),
    ]);

    const future = await http()
      .get('/3rdparty/v1/messages')
      .query({ from: new Date(Date.now() + 60_000).toISOString() })
      .set('Authorization', ownAuth)
      .expect(200);
    expect(future.body).toEqual([]);
    expect(future.headers['x-total-count']).toBe('0');

    const badSort = await http()
      .get('/3rdparty/v1/messages')
      .query({ sort: 'body' })
      .set('Authorization', ownAuth)
      .expect(400);
    expect(badSort.body.code).toBe('VALIDATION_FAILED');
  });

  it("filters by state exactly as it sums up a request's state", async () => {
    // Every pair of outbound statuses, straight into the table (most cannot be reached by API).
    const own = await createAccount(app);
    const statuses = Object.values(MessageStatus).filter(
      (status) => status !== MessageStatus.Received,
    );
    const pairs = statuses.flatMap((first) => statuses.map((second) => [first, second]));
    const draft = (status: MessageStatus, externalId: string): MessageDraft => ({
      accountId: own.account.id,
      direction: 'outbound',
      fromNumber: null,
      toNumber: '+14155550186',
      peer: '+14155550186',
      body: externalId,
      encoding: 'GSM-7',
      segments: 1,
      status,
      routeRequested: RequestedRoute.Twilio,
      requestedDeviceId: null,
      sensitive: false,
      sessionId: null,
      externalId,
      scheduledAt: null,
      expiresAt: null,
    });
    await app
      .get(MessageRepository)
      .insertMany(
        pairs.flatMap((pair, index) => pair.map((status) => draft(status, `pair-${index}`))),
      );
    // Made "in the future", so that the reconciler (which looks at unfinished messages older than
    // a few seconds) never sends the queued ones while the test reads them.
    await app
      .get(DataSource)
      .query(`UPDATE messages SET created_at = now() + interval '1 hour' WHERE account_id = $1`, [
        own.account.id,
      ]);
    const expected = new Map<RequestProgress, string[]>();
    pairs.forEach((pair, index) => {
      const progress = requestProgressOf(pair);
      expected.set(progress, [...(expected.get(progress) ?? []), `pair-${index}`]);
    });
    for (const state of ['Pending', 'Processed', 'Sent', 'Delivered', 'Failed']) {
      const listed = await http()
        .get('/3rdparty/v1/messages')
        .query({ state, limit: 100 })
        .set('Authorization', basic('x', own.key))
        .expect(200);
      const ids = listed.body.map((found: { id: string }) => found.id).sort();
      expect({ state, ids }).toEqual({
        state,
        ids: (expected.get(state.toLowerCase() as RequestProgress) ?? []).sort(),
      });
      expect(listed.body.every((found: { state: string }) => found.state === state)).toBe(true);
    }
  });

  it('answers 401 with a Basic challenge to a wrong, missing or malformed credential', async () => {
    const wrong = await clientFor('sk_not_a_real_key')
      .getState('anything')
      .catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(HttpError);
    expect((wrong as HttpError).status).toBe(401);
    expect((wrong as HttpError).body.code).toBe('UNAUTHENTICATED');

    for (const authorization of [undefined, basic('user', ''), 'Basic !!!', 'Digest abc']) {
      const call = http().post('/3rdparty/v1/messages');
      if (authorization) call.set('Authorization', authorization);
      const answer = await call.send({ message: 'x', phoneNumbers: ['+14155550190'] }).expect(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Basic /);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
    }
    // An API key as a Bearer token works too, as does X-API-Key.
    await http()
      .get('/3rdparty/v1/messages')
      .set('Authorization', `Bearer ${account.key}`)
      .expect(200);
    await http().get('/3rdparty/v1/messages').set(account.headers).expect(200);
    await http().get('/3rdparty/v1/messages').set('X-API-Key', 'sb_wrong').expect(401);
  });

  it("answers 404 for another account's id, to read or to cancel", async () => {
    const accepted = await client.send({ phoneNumbers: ['+14155550191'], message: 'Mine' });
    const other = await createAccount(app);
    const otherAuth = basic(other.account.id, other.key);
    for (const call of [
      http().get(`/3rdparty/v1/messages/${accepted.id}`),
      http().delete(`/3rdparty/v1/messages/${accepted.id}`),
    ]) {
      const answer = await call.set('Authorization', otherAuth).expect(404);
      expect(answer.body.code).toBe('MESSAGE_NOT_FOUND');
    }
    const list = await http()
      .get('/3rdparty/v1/messages')
      .set('Authorization', otherAuth)
      .expect(200);
    expect(list.body).toEqual([]);
    await http().get('/3rdparty/v1/messages/no-such-id').set('Authorization', auth).expect(404);
  });

  it('refuses what the original server refuses, with 400 and a stable code, storing nothing', async () => {
    const fresh = await createAccount(app);
    const freshAuth = basic('x', fresh.key);
    const cases: Array<[object, string]> = [
      [{ message: 'x', phoneNumbers: [] }, 'VALIDATION_FAILED'],
      [
        {
          message: 'x',
          phoneNumbers: Array.from(
            { length: 101 },
            (_, i) => `+1415555${String(i).padStart(4, '0')}`,
          ),
        },
        'VALIDATION_FAILED',
      ],
      [{ message: 'x'.repeat(1601), phoneNumbers: ['+14155550192'] }, 'VALIDATION_FAILED'],
      [{ textMessage: { text: '' }, phoneNumbers: ['+14155550192'] }, 'VALIDATION_FAILED'],
      [{ phoneNumbers: ['+14155550192'] }, 'MESSAGE_CONTENT_REQUIRED'],
      [
        { message: 'x', textMessage: { text: 'y' }, phoneNumbers: ['+14155550192'] },
        'CONFLICTING_FIELDS',
      ],
      [
        {
          message: 'x',
          phoneNumbers: ['+14155550192'],
          ttl: 60,
          validUntil: new Date(Date.now() + 60_000).toISOString(),
        },
        'CONFLICTING_FIELDS',
      ],
      [
        { dataMessage: { data: 'SGVsbG8=', port: 53739 }, phoneNumbers: ['+14155550192'] },
        'DATA_MESSAGE_NOT_SUPPORTED',
      ],
      [
        { message: 'x', phoneNumbers: ['+14155550192'], isEncrypted: true },
        'ENCRYPTION_NOT_SUPPORTED',
      ],
      [{ message: 'x', phoneNumbers: ['+14155550192'], simNumber: 4 }, 'VALIDATION_FAILED'],
      // No phone of the account reports a second SIM.
      [{ message: 'x', phoneNumbers: ['+14155550192'], simNumber: 2 }, 'SIM_NOT_AVAILABLE'],
      [{ message: 'x', phoneNumbers: ['+14155550192'], id: 'a/b' }, 'VALIDATION_FAILED'],
      [
        { message: 'x', phoneNumbers: ['+14155550192'], scheduleAt: '2020-01-01T00:00:00Z' },
        'INVALID_SCHEDULE',
      ],
      [{ message: 'x', phoneNumbers: ['+14155550192', 'not a number'] }, 'INVALID_PHONE_NUMBER'],
    ];
    for (const [body, code] of cases) {
      const answer = await http()
        .post('/3rdparty/v1/messages')
        .set('Authorization', freshAuth)
        .send(body);
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({
        body,
        status: 400,
        code,
      });
    }
    const invalidNumber = await http()
      .post('/3rdparty/v1/messages')
      .set('Authorization', freshAuth)
      .send({ message: 'x', phoneNumbers: ['+14155550192', 'not a number'] });
    expect(invalidNumber.body.errors).toEqual([
      expect.objectContaining({ field: 'phoneNumbers[1]', code: 'INVALID_PHONE_NUMBER' }),
    ]);
    const stored = await http().get('/api/v1/messages').set(fresh.headers).expect(200);
    expect(stored.body.data).toEqual([]);
  });
});
