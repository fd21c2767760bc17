import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { TestStack, startStack } from './helpers/test-stack';

describe('messages: idempotency, batches, scheduling, cancel, expiry, sessions', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  let headers: Record<string, string>;

  const http = () => request(app.getHttpServer());
  const getMessage = async (id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;

  beforeAll(async () => {
    stack = await startStack();
    ({ fake, app } = stack);
  });
  beforeEach(async () => {
    fake.reset();
    headers = (await createAccount(app)).headers;
  });
  afterAll(async () => {
    await stack.close();
  });

  describe('Idempotency-Key', () => {
    it('50 concurrent identical requests make one message and one send, all answered with it', async () => {
      const body = { to: '+14155550201', body: 'Exactly once' };
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          http()
            .post('/api/v1/messages')
            .set(headers)
            .set('Idempotency-Key', 'order-42')
            .send(body),
        ),
      );
      // A duplicate waits for the first one's commit and replays it: no 409 to retry on.
      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(202));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      const replays = responses.filter((response) => response.headers['idempotent-replayed']);
      expect(replays).toHaveLength(49);
      const [first] = responses.filter((response) => !response.headers['idempotent-replayed']);
      // The answer as it was first given, times included.
      for (const replay of replays) expect(replay.body).toEqual(first.body);

      const replay = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'order-42')
        .send(body);
      expect(replay.status).toBe(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);

      const list = await http()
        .get('/api/v1/messages')
        .query({ peer: '+14155550201' })
        .set(headers);
      expect(list.body.data).toHaveLength(1);
      expect(list.body.data[0].createdAt).toBe(first.body.createdAt);
      // A later message to the same phone: a second send of the first would have gone before it.
      const later = await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .send({ to: '+14155550201', body: 'Sent after' });
      expect(later.body.status).toBe('sent');
      expect(fake.messagesTo('+14155550201').map((text) => text.body)).toEqual([
        'Exactly once',
        'Sent after',
      ]);
    });

    it('a batch under one key, sent 20 times at once, is stored once (its session counted once)', async () => {
      const batch = {
        messages: Array.from({ length: 30 }, (_, i) => ({
          to: `+1415555021${i % 10}`,
          body: `keyed batch ${i}`,
          sessionId: 'keyed-batch',
        })),
      };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          http()
            .post('/api/v1/messages/batch')
            .set(headers)
            .set('Idempotency-Key', 'batch-7')
            .send(batch),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(202));
      const [first] = responses.filter((response) => !response.headers['idempotent-replayed']);
      for (const response of responses) expect(response.body).toEqual(first.body);
      expect(first.body.data).toHaveLength(30);

      const stored = await app
        .get(DataSource)
        .query("SELECT count(*)::int AS n FROM messages WHERE body LIKE 'keyed batch %'");
      expect(stored[0].n).toBe(30);
      // The duplicates' session updates rolled back with them.
      const session = await http().get('/api/v1/sessions/keyed-batch').set(headers);
      expect(session.body.messageCount).toBe(30);
    });

    it('replays a committed request even when the request would now be refused', async () => {
      const body = { to: '+14155550204', body: 'In a session', sessionId: 'then-closed' };
      const accepted = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'before-close')
        .send(body)
        .expect(202);
      await http().post('/api/v1/sessions/then-closed/close').set(headers).expect(200);

      const retried = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'before-close')
        .send(body);
      expect(retried.status).toBe(202);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toEqual(accepted.body);
    });

    it('replays the outcome a ?wait request waited for', async () => {
      const body = { to: '+14155550205', body: 'Waited for' };
      const waited = await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .set('Idempotency-Key', 'waited')
        .send(body);
      expect(waited.status).toBe(200);
      expect(waited.body.status).toBe('sent');
      const retried = await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .set('Idempotency-Key', 'waited')
        .send(body);
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toEqual(waited.body);
      expect(fake.messagesTo('+14155550205')).toHaveLength(1);
    });

    it('a key older than 24 h starts a new request', async () => {
      const { account, headers: own } = await createAccount(app);
      const body = { to: '+14155550206', body: 'Yesterday' };
      const send = () =>
        http().post('/api/v1/messages').set(own).set('Idempotency-Key', 'daily').send(body);
      const yesterday = await send().expect(202);
      await app
        .get(DataSource)
        .query(
          `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE account_id = $1`,
          [account.id],
        );
      const today = await send();
      expect(today.status).toBe(202);
      expect(today.headers['idempotent-replayed']).toBeUndefined();
      expect(today.body.id).not.toBe(yesterday.body.id);
      const again = await send();
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(today.body.id);
    });

    it('refuses the same key with another body (422), and scopes keys per account', async () => {
      await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'k1')
        .send({ to: '+14155550202', body: 'A' })
        .expect(202);
      const reused = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'k1')
        .send({ to: '+14155550202', body: 'B' });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

      const other = await createAccount(app);
      const sameKeyElsewhere = await http()
        .post('/api/v1/messages')
        .set(other.headers)
        .set('Idempotency-Key', 'k1')
        .send({ to: '+14155550202', body: 'B' });
      expect(sameKeyElsewhere.status).toBe(202);
      expect(sameKeyElsewhere.headers['idempotent-replayed']).toBeUndefined();
    });

    it('refuses a key that is not 1 to 255 printable ASCII characters, storing nothing', async () => {
      for (const key of ['x'.repeat(256), 'with space', 'caf\u00e9']) {
        const refused = await http()
          .post('/api/v1/messages')
          .set(headers)
          .set('Idempotency-Key', key)
          .send({ to: '+14155550207', body: 'Bad key' });
        expect(refused.status).toBe(400);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(refused.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
      }
      const list = await http()
        .get('/api/v1/messages')
        .query({ peer: '+14155550207' })
        .set(headers);
      expect(list.body.data).toEqual([]);
    });

    it('lets a failed request be retried with the same key', async () => {
      const bad = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'k2')
        .send({ to: 'nope', body: 'A' });
      expect(bad.status).toBe(422);
      const good = await http()
        .post('/api/v1/messages')
        .set(headers)
        .set('Idempotency-Key', 'k2')
        .send({ to: '+14155550203', body: 'A' });
      expect(good.status).toBe(202);
    });
  });

  describe('batch', () => {
    it('accepts many messages in one request and sends each', async () => {
      const messages = Array.from({ length: 25 }, (_, i) => ({
        to: `+1415555030${i % 10}`,
        body: `batch ${i}`,
      }));
      const response = await http().post('/api/v1/messages/batch').set(headers).send({ messages });
      expect(response.status).toBe(202);
      expect(response.body.data).toHaveLength(25);
      expect(response.body.data.every((m: { status: string }) => m.status === 'queued')).toBe(true);
      await fake.waitForMessages(25);
    });

    it('stores every field of every message exactly, answering in the order asked', async () => {
      // Bodies that an array literal must quote or escape, and optional fields mixed with absent
      // ones: the batch is stored column by column, so each must land in its own row.
      const bodies = ['say "hi"', 'back\\slash', '{braces}, commas', 'NULL', 'line\nbreak', ' 🚀 '];
      const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
      const expiresAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
      const messages = bodies.map((body, i) => ({
        to: `+1415555032${i}`,
        body,
        ...(i % 2 === 0 ? { sessionId: `batch-session-${i}` } : {}),
        ...(i % 3 === 0 ? { scheduledAt, expiresAt } : {}),
      }));
      const response = await http().post('/api/v1/messages/batch').set(headers).send({ messages });
      expect(response.status).toBe(202);
      for (const [i, view] of (response.body.data as Array<{ id: string }>).entries()) {
        const expected = {
          to: messages[i].to,
          body: messages[i].body,
          sessionId: i % 2 === 0 ? `batch-session-${i}` : null,
          scheduledAt: i % 3 === 0 ? scheduledAt : null,
          expiresAt: i % 3 === 0 ? expiresAt : null,
        };
        expect(view).toMatchObject(expected);
        const stored = await http().get(`/api/v1/messages/${view.id}`).set(headers);
        expect(stored.body).toMatchObject(expected);
      }
    });

    it('rejects the whole batch when one message is invalid, naming it, and stores none', async () => {
      const response = await http()
        .post('/api/v1/messages/batch')
        .set(headers)
        .send({
          messages: [
            { to: '+14155550311', body: 'ok' },
            { to: '555', body: 'bad' },
          ],
        });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'messages[1].to', code: 'INVALID_PHONE_NUMBER' }),
      ]);
      const list = await http().get('/api/v1/messages').set(headers);
      expect(list.body.data).toHaveLength(0);
    });

    it('names every field of a batch that breaks the message rules, and stores none', async () => {
      const response = await http()
        .post('/api/v1/messages/batch')
        .set(headers)
        .send({
          messages: [
            { to: '+14155550313', body: 'ok' },
            { to: '+14155550314', body: '' },
            { to: '+14155550315', body: 'ok', price: 1 },
            'not a message',
          ],
        });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
        'messages[1].body',
        'messages[2].price',
        'messages[3]',
      ]);
      const list = await http().get('/api/v1/messages').set(headers);
      expect(list.body.data).toHaveLength(0);
    });

    it('takes 1,000 messages of the longest body, even in 3-byte characters (4.8 MB)', async () => {
      // Scheduled for tomorrow: this test is about the size of what is accepted, not the sends.
      const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
      const body = '中'.repeat(1600);
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        to: `+1415555${String(1000 + i)}`,
        body,
        scheduledAt,
      }));
      const response = await http().post('/api/v1/messages/batch').set(headers).send({ messages });
      expect(response.status).toBe(202);
      expect(response.body.data).toHaveLength(1000);
      expect(response.body.data[999]).toMatchObject({
        status: 'scheduled',
        body,
        encoding: 'UCS-2',
        segments: 24,
      });

      const oversized = JSON.stringify({ messages: [...messages, ...messages] });
      const refused = await http()
        .post('/api/v1/messages/batch')
        .set(headers)
        .set('content-type', 'application/json')
        .send(oversized);
      expect(refused.status).toBe(413);
      expect(refused.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses more than 1,000 messages and an empty batch', async () => {
      const tooMany = Array.from({ length: 1001 }, () => ({ to: '+14155550312', body: 'x' }));
      expect(
        (await http().post('/api/v1/messages/batch').set(headers).send({ messages: tooMany }))
          .status,
      ).toBe(400);
      expect(
        (await http().post('/api/v1/messages/batch').set(headers).send({ messages: [] })).status,
      ).toBe(400);
    });
  });

  describe('scheduling, cancel and expiry', () => {
    it('holds a scheduled message until its time', async () => {
      const scheduledAt = new Date(Date.now() + 2000).toISOString();
      const created = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550401', body: 'Later', scheduledAt });
      expect(created.status).toBe(202);
      expect(created.body.status).toBe('scheduled');
      const sent = await eventually(
        () => getMessage(created.body.id),
        (m) => m.status === 'sent',
      );
      // When the request reached Twilio, not when the worker recorded it: no earlier than asked.
      const [received] = fake.messagesTo('+14155550401');
      expect(received.dateCreated.getTime()).toBeGreaterThanOrEqual(Date.parse(scheduledAt));
      expect(Date.parse(sent.sentAt)).toBeGreaterThanOrEqual(Date.parse(scheduledAt));
    });

    it('cancels a scheduled message, which then never leaves; a second cancel is 409', async () => {
      const scheduledAt = new Date(Date.now() + 1500).toISOString();
      const created = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550402', body: 'Never', scheduledAt });
      const canceled = await http().post(`/api/v1/messages/${created.body.id}/cancel`).set(headers);
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({ status: 'canceled', sendingAt: null, sentAt: null });
      expect(Date.parse(canceled.body.canceledAt)).toBeGreaterThanOrEqual(
        Date.parse(created.body.createdAt),
      );
      const again = await http().post(`/api/v1/messages/${created.body.id}/cancel`).set(headers);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'MESSAGE_NOT_CANCELABLE',
        messageStatus: 'canceled',
      });
      // Scheduled just after the canceled one: once it has gone, the canceled one's time has passed.
      const later = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({
          to: '+14155550402',
          body: 'Scheduled after',
          scheduledAt: new Date(Date.parse(scheduledAt) + 100).toISOString(),
        });
      await eventually(
        () => getMessage(later.body.id),
        (m) => m.status === 'sent',
      );
      expect(fake.messagesTo('+14155550402').map((text) => text.body)).toEqual(['Scheduled after']);
      expect((await getMessage(created.body.id)).status).toBe('canceled');
    });

    it('cannot cancel a message that was already sent', async () => {
      const created = await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .send({ to: '+14155550403', body: 'Gone' });
      expect(created.body.status).toBe('sent');
      const response = await http().post(`/api/v1/messages/${created.body.id}/cancel`).set(headers);
      expect(response.status).toBe(409);
    });

    it('expires a message that could not go before its expiry', async () => {
      // No phone is connected, so a device-only message waits, then expires.
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const created = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550404', body: 'Too late', route: 'device', expiresAt });
      const expired = await eventually(
        () => getMessage(created.body.id),
        (m) => m.status === 'expired',
        15_000,
      );
      expect(expired).toMatchObject({ status: 'expired', errorCode: 'EXPIRED', canceledAt: null });
      expect(Date.parse(expired.expiredAt)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
      expect(fake.messagesTo('+14155550404')).toHaveLength(0);
    });

    it('refuses an expiry in the past', async () => {
      const response = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550405', body: 'x', expiresAt: '2020-01-01T00:00:00Z' });
      expect(response.status).toBe(422);
      expect(response.body.errors[0]).toMatchObject({ field: 'expiresAt', code: 'INVALID_EXPIRY' });
    });
  });

  describe('sessions', () => {
    it('creates a session with its first message and lists its messages', async () => {
      await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .send({ to: '+14155550501', body: 'one', sessionId: 'chat-1' })
        .expect(200);
      await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550501', body: 'two', sessionId: 'chat-1' })
        .expect(202);
      await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550502', body: 'other', sessionId: 'chat-2' })
        .expect(202);

      const sessions = await http().get('/api/v1/sessions').set(headers);
      expect(sessions.body.data).toEqual([
        expect.objectContaining({ id: 'chat-2', messageCount: 1, closed: false }),
        expect.objectContaining({ id: 'chat-1', messageCount: 2, closed: false }),
      ]);
      const messages = await http().get('/api/v1/sessions/chat-1/messages').set(headers);
      expect(messages.body.data.map((m: { body: string }) => m.body)).toEqual(['two', 'one']);
      const filtered = await http().get('/api/v1/messages?sessionId=chat-2').set(headers);
      expect(filtered.body.data.map((m: { body: string }) => m.body)).toEqual(['other']);
    });

    it('closes a session: it takes no new message, and nothing is half-written', async () => {
      await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550503', body: 'hi', sessionId: 'closing' })
        .expect(202);
      const closed = await http().post('/api/v1/sessions/closing/close').set(headers);
      expect(closed.status).toBe(200);
      expect(closed.body.closed).toBe(true);
      const refused = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550503', body: 'late', sessionId: 'closing' });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('SESSION_CLOSED');
      const session = await http().get('/api/v1/sessions/closing').set(headers);
      expect(session.body.messageCount).toBe(1);
      const rows = await app
        .get(DataSource)
        .query("SELECT count(*)::int AS n FROM messages WHERE body = 'late'");
      expect(rows[0].n).toBe(0);
    });

    it("keeps sessions per account: another account's session is 404", async () => {
      await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550504', body: 'x', sessionId: 'private' })
        .expect(202);
      const other = await createAccount(app);
      expect((await http().get('/api/v1/sessions/private').set(other.headers)).status).toBe(404);
      expect(
        (await http().get('/api/v1/sessions/private/messages').set(other.headers)).status,
      ).toBe(404);
      expect((await http().post('/api/v1/sessions/private/close').set(other.headers)).status).toBe(
        404,
      );
    });
  });
});
