import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Message, MessageDraft, MessageStatus, RequestedRoute } from '@app/messaging';
import {
  MessageRepository,
  messageColumns,
  messageFromRow,
} from '@app/messaging/model/message.repository';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { createDevice } from './helpers/device.factory';
import { EventsClient, ReceivedEvent } from './helpers/events-client';
import { urlOf } from './helpers/test-app';
import { fakeMessageSid } from './helpers/twilio-webhook';
import { eventually } from './helpers/eventually';
import { possibleDuplicates } from './helpers/metrics';
import { TestStack, startStack } from './helpers/test-stack';

const POOL = ['+12015550100', '+12015550101'];

describe('outbound messages through Twilio', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  let headers: Record<string, string>;
  let otherHeaders: Record<string, string>;

  const http = () => request(app.getHttpServer());
  const getMessage = async (id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;
  const statusOf = (id: string, expected: string) =>
    eventually(
      () => getMessage(id),
      (message) => message.status === expected,
    );

  beforeAll(async () => {
    stack = await startStack(POOL);
    ({ fake, app } = stack);
    headers = (await createAccount(app)).headers;
    otherHeaders = (await createAccount(app)).headers;
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => fake.reset());

  it('goes queued → sent → delivered, from a sticky pool number, visible in the list filters', async () => {
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+1 (415) 555-0101', body: 'Hello from Switchboard' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: 'queued',
      to: '+14155550101',
      direction: 'outbound',
      encoding: 'GSM-7',
      segments: 1,
      routeRequested: 'auto',
    });

    const sent = await statusOf(created.body.id, 'sent');
    expect(sent).toMatchObject({ status: 'sent', route: 'twilio', attempts: 1 });
    expect(POOL).toContain(sent.from);
    const [received] = fake.messagesTo('+14155550101');
    expect(received).toMatchObject({ body: 'Hello from Switchboard', from: sent.from });
    expect(sent.providerMessageId).toBe(received.sid);

    expect(await fake.sendStatusCallback(received.sid, 'delivered')).toBe(204);
    const delivered = await statusOf(created.body.id, 'delivered');
    expect(delivered.deliveredAt).toEqual(expect.any(String));

    // The same recipient gets the same sender next time (replies route back).
    const again = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550101', body: 'Again' });
    expect(again.body.from).toBe(sent.from);

    const byStatus = await http().get('/api/v1/messages?status=delivered').set(headers);
    expect(byStatus.body.data.map((message: { id: string }) => message.id)).toContain(
      created.body.id,
    );
    const byPeer = await http()
      .get('/api/v1/messages')
      .query({ peer: '+14155550101' })
      .set(headers);
    expect(byPeer.body.data).toHaveLength(2);
    const byOtherPeer = await http()
      .get('/api/v1/messages')
      .query({ peer: '+14155550199' })
      .set(headers);
    expect(byOtherPeer.body.data).toHaveLength(0);
  });

  it('announces each new message on /ws/events as it was answered, before any of its updates', async () => {
    const account = await createAccount(app);
    const live = await EventsClient.connect(app, { apiKey: account.key });
    try {
      await live.waitFor((event) => event.type === 'ready');
      const single = await http()
        .post('/api/v1/messages')
        .set(account.headers)
        .send({ to: '+14155550141', body: 'Announced alone' });
      const batch = await http()
        .post('/api/v1/messages/batch')
        .set(account.headers)
        .send({
          messages: [
            { to: '+14155550142', body: 'Announced together 1' },
            { to: '+14155550143', body: 'Announced together 2' },
          ],
        });
      const answered = [single.body, ...batch.body.data];
      const sentUpdateOf = (id: string) => (event: ReceivedEvent) =>
        event.type === 'message.updated' && event.data.id === id && event.data.status === 'sent';
      for (const message of answered) await live.waitFor(sentUpdateOf(message.id), 15_000);

      for (const message of answered) {
        const events = live.events.filter((event) => event.data?.id === message.id);
        expect(events.filter((event) => event.type === 'message.created')).toEqual([
          { type: 'message.created', data: message },
        ]);
        // Created first: the worker could only report on the message after its job existed.
        expect(events[0].type).toBe('message.created');
      }
    } finally {
      live.socket.close();
    }
  });

  it('?wait=10 answers 200 once the message is sent', async () => {
    const response = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550102', body: 'Synchronous' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('sent');
    expect(fake.messagesTo('+14155550102')).toHaveLength(1);
  });

  it('?wait answers 202 as it stands when the time runs out', async () => {
    fake.setLatency(3000);
    const response = await http()
      .post('/api/v1/messages?wait=1')
      .set(headers)
      .send({ to: '+14155550103', body: 'Slow provider' });
    expect(response.status).toBe(202);
    expect(['queued', 'sending']).toContain(response.body.status);
    await statusOf(response.body.id, 'sent');
  });

  it('retries transient failures (500, 429) with backoff, then succeeds', async () => {
    fake.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    fake.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests' });
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550104', body: 'Retry me' });
    const sent = await statusOf(created.body.id, 'sent');
    expect(sent.attempts).toBe(3);
    expect(sent.errorCode).toBeNull();
    expect(fake.requests.filter((r) => r.params.To === '+14155550104')).toHaveLength(3);
    expect(fake.messagesTo('+14155550104')).toHaveLength(1);
  });

  it('counts an attempt Twilio may have taken before the connection broke as a possible duplicate', async () => {
    const before = await possibleDuplicates(app, 'provider_may_have_accepted');
    fake.dropNext(1);
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550105', body: 'Maybe twice' });
    await statusOf(created.body.id, 'sent');
    // The fake took the dropped attempt too: the SMS did go out twice, and the metric says so.
    expect(fake.messagesTo('+14155550105')).toHaveLength(2);
    expect(await possibleDuplicates(app, 'provider_may_have_accepted')).toBe(before + 1);
  });

  it('fails at once on a permanent Twilio error, keeping its code', async () => {
    fake.failNext(1, {
      status: 400,
      code: 21211,
      message: "The 'To' number is not a valid phone number.",
    });
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550105', body: 'Nope' });
    const failed = await statusOf(created.body.id, 'failed');
    expect(failed).toMatchObject({ errorCode: '21211', attempts: 1 });
    expect(fake.requests.filter((r) => r.params.To === '+14155550105')).toHaveLength(1);
  });

  it('never moves a status backwards: delivered then a late sent', async () => {
    const created = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550106', body: 'Order' });
    const sid = created.body.providerMessageId;
    expect(await fake.sendStatusCallback(sid, 'delivered')).toBe(204);
    expect(await fake.sendStatusCallback(sid, 'sent')).toBe(204);
    expect(await fake.sendStatusCallback(sid, 'delivered')).toBe(204);
    const message = await getMessage(created.body.id);
    expect(message.status).toBe('delivered');
  });

  it('keeps delivered when Twilio reports it before the worker recorded sent', async () => {
    // Twilio takes the message but its answer is held: the worker has not recorded the send.
    fake.holdRequests();
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550107', body: 'Reported early' });
    await fake.waitForHeldRequests(1);
    const [taken] = fake.messagesTo('+14155550107');
    expect((await getMessage(created.body.id)).status).toBe('sending');

    expect(await fake.sendStatusCallback(taken.sid, 'delivered')).toBe(204);
    expect((await getMessage(created.body.id)).status).toBe('delivered');

    fake.releaseRequests();
    // The send is recorded (who carried it, when) without moving the status back.
    const recorded = await eventually(
      () => getMessage(created.body.id),
      (message) => message.providerMessageId === taken.sid,
    );
    expect(recorded).toMatchObject({ status: 'delivered', from: taken.from, errorCode: null });
    expect(recorded.sentAt).toEqual(expect.any(String));
    expect(recorded.deliveredAt).toEqual(expect.any(String));
    // Handed to Twilio before Twilio answered it as sent.
    expect(Date.parse(recorded.sendingAt)).toBeLessThanOrEqual(Date.parse(recorded.sentAt));
    expect(fake.messagesTo('+14155550107')).toHaveLength(1);
  });

  it('records undelivered with the carrier error code', async () => {
    const created = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550107', body: 'Lost' });
    await fake.sendStatusCallback(created.body.providerMessageId, 'undelivered', {
      errorCode: 30003,
    });
    const message = await statusOf(created.body.id, 'undelivered');
    expect(message.errorCode).toBe('30003');
  });

  it('refuses forged, missing and wrong-URL signatures on status callbacks', async () => {
    const created = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550108', body: 'Sig' });
    const path = `/webhooks/twilio/status?messageId=${created.body.id}`;
    const form = { MessageSid: created.body.providerMessageId, MessageStatus: 'delivered' };
    const forged = await http()
      .post(path)
      .type('form')
      .set('X-Twilio-Signature', 'AAAA')
      .send(form);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('TWILIO_SIGNATURE_INVALID');
    const missing = await http().post(path).type('form').send(form);
    expect(missing.status).toBe(403);
    expect(missing.body.code).toBe('TWILIO_SIGNATURE_MISSING');
    const twilio = (await import('twilio')).default;
    const wrongUrl = twilio.getExpectedTwilioSignature(
      fake.authToken,
      `https://elsewhere.example${path}`,
      form,
    );
    expect(
      (await http().post(path).type('form').set('X-Twilio-Signature', wrongUrl).send(form)).status,
    ).toBe(403);
    expect((await getMessage(created.body.id)).status).toBe('sent');
  });

  it('changes nothing on a signed callback that names another sid, and applies the right one', async () => {
    const created = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550119', body: 'Whose sid' });
    expect(created.body.status).toBe('sent');
    const twilio = (await import('twilio')).default;
    const post = (messageSid: string) => {
      const path = `/webhooks/twilio/status?messageId=${created.body.id}`;
      const form = { MessageSid: messageSid, MessageStatus: 'delivered' };
      const signature = twilio.getExpectedTwilioSignature(fake.authToken, urlOf(app) + path, form);
      return http().post(path).type('form').set('X-Twilio-Signature', signature).send(form);
    };

    expect((await post(fakeMessageSid())).status).toBe(204);
    expect((await getMessage(created.body.id)).status).toBe('sent');
    expect((await post(created.body.providerMessageId)).status).toBe(204);
    expect((await getMessage(created.body.id)).status).toBe('delivered');
  });

  it('answers 422 INVALID_PHONE_NUMBER and stores nothing', async () => {
    const before = (await http().get('/api/v1/messages?limit=100').set(headers)).body.data.length;
    const response = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '12345', body: 'x' });
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(response.body).toMatchObject({
      code: 'INVALID_PHONE_NUMBER',
      errors: [{ field: 'to' }],
    });
    expect((await http().get('/api/v1/messages?limit=100').set(headers)).body.data.length).toBe(
      before,
    );
  });

  it.each([
    ['an empty body', { to: '+14155550109', body: '' }],
    ['a body over 1,600 characters', { to: '+14155550109', body: 'x'.repeat(1601) }],
    ['an extra field', { to: '+14155550109', body: 'x', accountId: 'someone-else' }],
    ['a wait over 30 s', { to: '+14155550109', body: 'x' }, '?wait=31'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_label, body, query = '') => {
    const response = await http().post(`/api/v1/messages${query}`).set(headers).send(body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  it('answers 422 INVALID_ROUTE for an unknown route, storing nothing', async () => {
    const response = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550109', body: 'by pigeon', route: 'pigeon' });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'INVALID_ROUTE',
      errors: [{ field: 'route', code: 'INVALID_ROUTE' }],
    });
    const list = await http().get('/api/v1/messages').query({ peer: '+14155550109' }).set(headers);
    expect(list.body.data).toEqual([]);
  });

  it("answers 404 for another account's message, and lists only the caller's", async () => {
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550110', body: 'Mine' });
    const foreign = await http().get(`/api/v1/messages/${created.body.id}`).set(otherHeaders);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('MESSAGE_NOT_FOUND');
    expect(
      (await http().post(`/api/v1/messages/${created.body.id}/cancel`).set(otherHeaders)).status,
    ).toBe(404);
    const list = await http().get('/api/v1/messages').set(otherHeaders);
    expect(list.body.data.map((m: { id: string }) => m.id)).not.toContain(created.body.id);
    expect((await http().get('/api/v1/messages/not-a-uuid').set(headers)).status).toBe(404);
    // Shaped like a uuid, but not one: still a 404, never a database error.
    expect(
      (
        await http()
          .get(`/api/v1/messages/${'-'.repeat(36)}`)
          .set(headers)
      ).status,
    ).toBe(404);
    for (const id of ['not-a-uuid', '-'.repeat(36)]) {
      const cancel = await http().post(`/api/v1/messages/${id}/cancel`).set(headers);
      expect({ id, status: cancel.status, code: cancel.body.code }).toEqual({
        id,
        status: 404,
        code: 'MESSAGE_NOT_FOUND',
      });
    }
  });

  it('paginates with a cursor, newest first, without overlap', async () => {
    const account = await createAccount(app);
    for (let i = 0; i < 5; i++) {
      await http()
        .post('/api/v1/messages')
        .set(account.headers)
        .send({ to: '+14155550111', body: `n${i}` });
    }
    const first = await http().get('/api/v1/messages?limit=2').set(account.headers);
    expect(first.body.data.map((m: { body: string }) => m.body)).toEqual(['n4', 'n3']);
    const second = await http()
      .get(`/api/v1/messages?limit=2&cursor=${first.body.nextCursor}`)
      .set(account.headers);
    expect(second.body.data.map((m: { body: string }) => m.body)).toEqual(['n2', 'n1']);
    const third = await http()
      .get(`/api/v1/messages?limit=2&cursor=${second.body.nextCursor}`)
      .set(account.headers);
    expect(third.body.data.map((m: { body: string }) => m.body)).toEqual(['n0']);
    expect(third.body.nextCursor).toBeNull();
    // Rows a few microseconds apart within one millisecond: none may fall between two pages.
    const db = app.get(DataSource);
    await db.query(
      `UPDATE messages SET created_at = '2026-01-01 00:00:00.123456+00' WHERE body = 'n0' AND account_id = $1`,
      [account.account.id],
    );
    await db.query(
      `UPDATE messages SET created_at = '2026-01-01 00:00:00.123400+00' WHERE body = 'n1' AND account_id = $1`,
      [account.account.id],
    );
    await db.query(
      `UPDATE messages SET created_at = '2026-01-01 00:00:00.123300+00' WHERE body = 'n2' AND account_id = $1`,
      [account.account.id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await http()
        .get('/api/v1/messages')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set(account.headers);
      seen.push(...page.body.data.map((m: { body: string }) => m.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['n4', 'n3', 'n0', 'n1', 'n2']);

    const forged = Buffer.from(JSON.stringify(["'; DROP TABLE messages; --", 'x'])).toString(
      'base64url',
    );
    const refused = await http().get(`/api/v1/messages?cursor=${forged}`).set(account.headers);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('INVALID_CURSOR');
    const bad = await http().get('/api/v1/messages?cursor=garbage').set(account.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
  });

  it('returns every column of a message from its prepared statements', async () => {
    // Prepared statements list the entity's columns (see PreparedStatements): a column a migration
    // adds must be in the entity, or it would be missing from hot-path rows.
    const db = app.get(DataSource);
    const table: Array<{ column_name: string }> = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'messages'`,
    );
    const entity = db.getMetadata(Message).columns.map((column) => column.databaseName);
    const notInEntity = ['inbound_key'];
    const inTable = table
      .map((row) => row.column_name)
      .filter((column) => !notInEntity.includes(column))
      .sort();
    expect([...entity].sort()).toEqual(inTable);
    expect(messageColumns(db).sort()).toEqual(inTable);
  });

  it('answers an insert with exactly the rows it stored, defaults included', async () => {
    // The insert reads back only its moment (messageFromDraft builds the rest): every column,
    // each set where a foreign key allows, must equal the row as read back.
    const db = app.get(DataSource);
    const account = await createAccount(app);
    const device = await createDevice(app, account.headers);
    await db.query(`INSERT INTO sessions (account_id, id) VALUES ($1, 'draft-session')`, [
      account.account.id,
    ]);
    const [{ id: groupId }] = await db.query(
      `INSERT INTO groups (name) VALUES ('draft-group') RETURNING id`,
    );
    const full: MessageDraft = {
      accountId: account.account.id,
      direction: 'outbound',
      fromNumber: POOL[0],
      toNumber: '+14155550190',
      peer: '+14155550190',
      body: 'every column',
      encoding: 'GSM-7',
      segments: 1,
      status: MessageStatus.Scheduled,
      routeRequested: RequestedRoute.Device,
      requestedDeviceId: device.id,
      sensitive: true,
      sealedBody: 'v1.sealed',
      senderFromBinding: true,
      sessionId: 'draft-session',
      groupId,
      scheduledAt: new Date(Date.now() + 86_400_000),
      expiresAt: new Date(Date.now() + 2 * 86_400_000),
    };
    const bare: MessageDraft = {
      ...full,
      fromNumber: null,
      routeRequested: RequestedRoute.Auto,
      requestedDeviceId: null,
      sensitive: false,
      sealedBody: undefined,
      senderFromBinding: undefined,
      sessionId: null,
      groupId: undefined,
      scheduledAt: null,
      expiresAt: null,
    };
    const repository = app.get(MessageRepository);
    const answered = [
      ...(await repository.insertMany([full, bare])),
      ...(await db.transaction((manager) => repository.insertMany([full, bare], manager))),
    ];
    const stored = await db.query(
      `SELECT ${messageColumns(db).join(', ')} FROM messages WHERE id = ANY($1) ORDER BY id`,
      [answered.map((message) => message.id)],
    );
    expect(stored).toHaveLength(4);
    for (const row of stored) {
      const message = answered.find((candidate) => candidate.id === row.id);
      expect(message).toBeInstanceOf(Message);
      expect(message).toEqual(messageFromRow(row));
    }
  });
});
