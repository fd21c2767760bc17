import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { EventsClient } from './helpers/events-client';
import { fakeMessageSid, postInboundSms } from './helpers/twilio-webhook';
import { TestStack, startStack } from './helpers/test-stack';

const POOL = ['+12015550100', '+12015550101'];

describe('inbound SMS, conversations, opt-out and real-time events', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  const sockets: EventsClient[] = [];

  const http = () => request(app.getHttpServer());
  let phoneCounter = 0;
  const newPhone = () => `+1415556${String(1000 + phoneCounter++).padStart(4, '0')}`;

  /** Sends from the account to `phone` and answers the pool number it went from. */
  async function sendAndGetSender(headers: Record<string, string>, phone: string, extra = {}) {
    const sent = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: phone, body: 'Hi there', ...extra });
    expect(sent.body.status).toBe('sent');
    return sent.body.from as string;
  }

  beforeAll(async () => {
    stack = await startStack(POOL, { EVENTS_HEARTBEAT_MS: '200' });
    ({ fake, app } = stack);
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await stack.close();
  });
  beforeEach(() => fake.reset());

  it('routes a reply to the sender’s conversation and session, and pushes it live', async () => {
    const acme = await createAccount(app);
    const live = await EventsClient.connect(app, { apiKey: acme.key });
    sockets.push(live);
    await live.waitFor((event) => event.type === 'ready');
    const phone = newPhone();
    const poolNumber = await sendAndGetSender(acme.headers, phone, { sessionId: 'support-1' });

    const webhook = await postInboundSms(app, fake, {
      from: phone,
      to: poolNumber,
      body: 'Thanks, got it!',
    });
    expect(webhook.status).toBe(200);
    expect(webhook.headers['content-type']).toMatch(/text\/xml/);
    expect(webhook.text).toContain('<Response/>');

    const pushed = await live.waitFor(
      (event) => event.type === 'message.created' && event.data.direction === 'inbound',
    );
    expect(pushed.data).toMatchObject({ from: phone, body: 'Thanks, got it!', status: 'received' });

    const thread = await http().get(`/api/v1/conversations/${phone}/messages`).set(acme.headers);
    expect(thread.status).toBe(200);
    expect(
      thread.body.data.map((m: { direction: string; body: string }) => [m.direction, m.body]),
    ).toEqual([
      ['received', 'Thanks, got it!'],
      ['sent', 'Hi there'],
    ]);
    const session = await http().get('/api/v1/sessions/support-1/messages').set(acme.headers);
    expect(session.body.data.map((m: { body: string }) => m.body)).toEqual([
      'Thanks, got it!',
      'Hi there',
    ]);

    const threads = await http().get('/api/v1/conversations').set(acme.headers);
    expect(threads.body.data[0]).toMatchObject({
      peer: phone,
      unreadCount: 1,
      lastMessage: { direction: 'received' },
    });
    await http().post(`/api/v1/conversations/${phone}/read`).set(acme.headers).expect(204);
    const afterRead = await http().get('/api/v1/conversations').set(acme.headers);
    expect(afterRead.body.data[0].unreadCount).toBe(0);
  });

  it('gives two accounts texting one phone different numbers, and each sees only its replies', async () => {
    const first = await createAccount(app);
    const second = await createAccount(app);
    const secondLive = await EventsClient.connect(app, { apiKey: second.key }, true);
    sockets.push(secondLive);
    await secondLive.waitFor((event) => event.type === 'ready');
    const phone = newPhone();
    const firstNumber = await sendAndGetSender(first.headers, phone);
    const secondNumber = await sendAndGetSender(second.headers, phone);
    expect(firstNumber).not.toBe(secondNumber);

    await postInboundSms(app, fake, { from: phone, to: firstNumber, body: 'for the first' }).expect(
      200,
    );
    await postInboundSms(app, fake, {
      from: phone,
      to: secondNumber,
      body: 'for the second',
    }).expect(200);

    const firstThread = await http()
      .get(`/api/v1/conversations/${phone}/messages`)
      .set(first.headers);
    const secondThread = await http()
      .get(`/api/v1/conversations/${phone}/messages`)
      .set(second.headers);
    expect(firstThread.body.data.map((m: { body: string }) => m.body)).toEqual([
      'for the first',
      'Hi there',
    ]);
    expect(secondThread.body.data.map((m: { body: string }) => m.body)).toEqual([
      'for the second',
      'Hi there',
    ]);
    await secondLive.waitFor((event) => event.data.body === 'for the second');
    expect(secondLive.events.some((event) => event.data.body === 'for the first')).toBe(false);
  });

  it('answers 409 NUMBER_POOL_EXHAUSTED when every pool number is bound to the recipient', async () => {
    const phone = newPhone();
    for (let i = 0; i < POOL.length; i++)
      await sendAndGetSender((await createAccount(app)).headers, phone);
    const third = await createAccount(app);
    const response = await http()
      .post('/api/v1/messages')
      .set(third.headers)
      .send({ to: phone, body: 'no room' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('NUMBER_POOL_EXHAUSTED');
  });

  it('stores a replayed webhook once', async () => {
    const acme = await createAccount(app);
    const phone = newPhone();
    const poolNumber = await sendAndGetSender(acme.headers, phone);
    const messageSid = fakeMessageSid();
    for (let i = 0; i < 3; i++) {
      await postInboundSms(app, fake, {
        from: phone,
        to: poolNumber,
        body: 'once',
        messageSid,
      }).expect(200);
    }
    const thread = await http().get(`/api/v1/conversations/${phone}/messages`).set(acme.headers);
    expect(thread.body.data.filter((m: { body: string }) => m.body === 'once')).toHaveLength(1);
  });

  it('refuses forged, missing and wrong-URL signatures, storing nothing', async () => {
    const params = {
      MessageSid: fakeMessageSid(),
      From: '+14155559999',
      To: POOL[0],
      Body: 'forged',
    };
    const forged = await http()
      .post('/webhooks/twilio/sms')
      .type('form')
      .set('X-Twilio-Signature', 'bm9wZQ==')
      .send(params);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('TWILIO_SIGNATURE_INVALID');
    const missing = await http().post('/webhooks/twilio/sms').type('form').send(params);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('TWILIO_SIGNATURE_MISSING');
    const twilio = (await import('twilio')).default;
    const wrongUrl = twilio.getExpectedTwilioSignature(
      fake.authToken,
      'https://attacker.example/webhooks/twilio/sms',
      params,
    );
    expect(
      (
        await http()
          .post('/webhooks/twilio/sms')
          .type('form')
          .set('X-Twilio-Signature', wrongUrl)
          .send(params)
      ).status,
    ).toBe(403);
    const stored = await app
      .get(DataSource)
      .query("SELECT count(*)::int AS n FROM messages WHERE body = 'forged'");
    expect(stored[0].n).toBe(0);
  });

  it('stores a text with no binding as unrouted, visible to no account', async () => {
    const acme = await createAccount(app);
    await postInboundSms(app, fake, {
      from: '+14155558888',
      to: POOL[1],
      body: 'who is this?',
    }).expect(200);
    const rows = await app
      .get(DataSource)
      .query("SELECT account_id FROM messages WHERE body = 'who is this?'");
    expect(rows).toEqual([{ account_id: null }]);
    const list = await http().get('/api/v1/messages?direction=inbound').set(acme.headers);
    expect(list.body.data).toHaveLength(0);
  });

  it('stores a text holding a NUL character, which PostgreSQL cannot store, without it', async () => {
    await postInboundSms(app, fake, {
      from: '+14155558889',
      to: POOL[1],
      body: 'nul\u0000 inside',
    }).expect(200);
    const rows = await app
      .get(DataSource)
      .query("SELECT body FROM messages WHERE from_number = '+14155558889'");
    expect(rows).toEqual([{ body: 'nul\uFFFD inside' }]);
  });

  it('STOP opts the phone out of the account (RECIPIENT_OPTED_OUT, nothing sent); START opts back in', async () => {
    const acme = await createAccount(app);
    const phone = newPhone();
    const poolNumber = await sendAndGetSender(acme.headers, phone);
    await postInboundSms(app, fake, { from: phone, to: poolNumber, body: 'STOP' }).expect(200);
    fake.reset();

    const refused = await http()
      .post('/api/v1/messages?wait=10')
      .set(acme.headers)
      .send({ to: phone, body: 'are you there?' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: 'failed', errorCode: 'RECIPIENT_OPTED_OUT' });
    // Naming the number does not get around it (and no other number may talk to this phone for
    // this account: its conversation has one).
    const viaNamed = await http()
      .post('/api/v1/messages?wait=10')
      .set(acme.headers)
      .send({ to: phone, body: 'named number', from: poolNumber });
    expect(viaNamed.body.errorCode).toBe('RECIPIENT_OPTED_OUT');
    const viaOther = await http()
      .post('/api/v1/messages?wait=10')
      .set(acme.headers)
      .send({ to: phone, body: 'other number', from: POOL.find((n) => n !== poolNumber) });
    expect(viaOther.body.code).toBe('SENDER_NOT_AVAILABLE');
    expect(fake.messagesTo(phone)).toHaveLength(0);

    await postInboundSms(app, fake, { from: phone, to: poolNumber, body: 'start' }).expect(200);
    const allowed = await http()
      .post('/api/v1/messages?wait=10')
      .set(acme.headers)
      .send({ to: phone, body: 'welcome back' });
    expect(allowed.body.status).toBe('sent');
    expect(fake.messagesTo(phone).map((m) => m.body)).toEqual(['welcome back']);
  });

  it('answers HELP with a help text from the same number', async () => {
    const acme = await createAccount(app);
    const phone = newPhone();
    const poolNumber = await sendAndGetSender(acme.headers, phone);
    fake.reset();
    await postInboundSms(app, fake, { from: phone, to: poolNumber, body: 'HELP' }).expect(200);
    const [answer] = await fake.waitForMessages(1);
    expect(answer).toMatchObject({ to: phone, from: poolNumber });
    expect(answer.body).toContain('STOP');
  });

  it("answers 404 for a conversation the account does not have (another account's)", async () => {
    const owner = await createAccount(app);
    const stranger = await createAccount(app);
    const phone = newPhone();
    await sendAndGetSender(owner.headers, phone);
    const response = await http()
      .get(`/api/v1/conversations/${phone}/messages`)
      .set(stranger.headers);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('CONVERSATION_NOT_FOUND');
    expect((await http().get('/api/v1/conversations').set(stranger.headers)).body.data).toEqual([]);
    expect(
      (await http().get('/api/v1/conversations/garbage/messages').set(stranger.headers)).status,
    ).toBe(422);
  });

  it('sends within a conversation through the normal pipeline', async () => {
    const acme = await createAccount(app);
    const phone = newPhone();
    const response = await http()
      .post(`/api/v1/conversations/${phone}/messages`)
      .set(acme.headers)
      .send({ body: 'From the thread' });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ direction: 'sent', to: phone, status: 'queued' });
    await eventually(
      async () => fake.messagesTo(phone).length,
      (count) => count === 1,
    );
    expect(fake.messagesTo(phone)[0].body).toBe('From the thread');
  });

  describe('contacts', () => {
    it('names show in conversations; one contact per phone; owned per account', async () => {
      const acme = await createAccount(app);
      const phone = newPhone();
      await sendAndGetSender(acme.headers, phone);
      const created = await http()
        .post('/api/v1/contacts')
        .set(acme.headers)
        .send({ phone, name: 'Ada' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ phone, name: 'Ada' });
      const duplicate = await http()
        .post('/api/v1/contacts')
        .set(acme.headers)
        .send({ phone, name: 'Ada again' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('CONTACT_EXISTS');

      const threads = await http().get('/api/v1/conversations').set(acme.headers);
      expect(threads.body.data[0]).toMatchObject({ peer: phone, contactName: 'Ada' });

      const renamed = await http()
        .patch(`/api/v1/contacts/${created.body.id}`)
        .set(acme.headers)
        .send({ name: 'Ada King' });
      expect(renamed.body.name).toBe('Ada King');
      const other = await createAccount(app);
      expect(
        (
          await http()
            .patch(`/api/v1/contacts/${created.body.id}`)
            .set(other.headers)
            .send({ name: 'x' })
        ).status,
      ).toBe(404);
      expect(
        (await http().delete(`/api/v1/contacts/${created.body.id}`).set(other.headers)).status,
      ).toBe(404);
      expect((await http().get('/api/v1/contacts').set(other.headers)).body.data).toEqual([]);
      expect((await http().get('/api/v1/contacts').set(acme.headers)).body.data).toHaveLength(1);
      await http().delete(`/api/v1/contacts/${created.body.id}`).set(acme.headers).expect(204);
      expect((await http().get('/api/v1/contacts').set(acme.headers)).body.data).toEqual([]);
      expect(
        (await http().post('/api/v1/contacts').set(acme.headers).send({ phone: '123', name: 'x' }))
          .status,
      ).toBe(422);
    });
  });

  describe('/ws/events', () => {
    it('closes with 4001 on a bad credential, in a header or a first frame', async () => {
      const byHeader = await EventsClient.connect(app, { apiKey: 'sb_wrong_key_0000000000000000' });
      expect(await byHeader.waitForClose()).toBe(4001);
      const byFrame = await EventsClient.connect(app, { token: 'not-a-token' }, true);
      expect(await byFrame.waitForClose()).toBe(4001);
    });

    it('never delivers an account’s events to another account’s socket', async () => {
      const owner = await createAccount(app);
      const other = await createAccount(app);
      const ownerLive = await EventsClient.connect(app, { apiKey: owner.key });
      const otherLive = await EventsClient.connect(app, { apiKey: other.key });
      sockets.push(ownerLive, otherLive);
      await ownerLive.waitFor((event) => event.type === 'ready');
      await otherLive.waitFor((event) => event.type === 'ready');
      const sent = await http()
        .post('/api/v1/messages?wait=10')
        .set(owner.headers)
        .send({ to: newPhone(), body: 'private' });
      await ownerLive.waitFor(
        (event) =>
          event.type === 'message.updated' &&
          event.data.id === sent.body.id &&
          event.data.status === 'sent',
      );
      expect(otherLive.events.filter((event) => event.type !== 'ready')).toEqual([]);
    });

    it('drops a client that stops answering pings', async () => {
      const acme = await createAccount(app);
      const silent = await EventsClient.connect(app, { apiKey: acme.key }, false, false);
      await silent.waitFor((event) => event.type === 'ready');
      // Heartbeat 200 ms: two missed pings and the server hangs up (abnormal closure, 1006).
      expect(await silent.waitForClose(5000)).toBe(1006);
    });
  });
});
