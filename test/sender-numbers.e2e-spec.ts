import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { signUpThroughSms, uniquePhone } from './helpers/auth.factory';
import { eventually } from './helpers/eventually';
import { postInboundSms } from './helpers/twilio-webhook';
import { TestStack, startStack } from './helpers/test-stack';

const POOL = ['+12015550100', '+12015550101'];

/** Attacks on the pool numbers other tenants talk to a phone from. */
describe('a sender number belongs to one tenant', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;

  const http = () => request(app.getHttpServer());
  const db = () => app.get(DataSource);
  const otherNumber = (number: string) => POOL.find((candidate) => candidate !== number)!;
  const bindingsOf = (phone: string): Promise<Array<{ pool_number: string; account_id: string }>> =>
    db().query(
      'SELECT pool_number, account_id FROM number_bindings WHERE external_phone = $1 ORDER BY pool_number',
      [phone],
    );
  const messagesOf = async (accountId: string): Promise<number> =>
    (
      await db().query('SELECT count(*)::int AS n FROM messages WHERE account_id = $1', [accountId])
    )[0].n;

  /** Sends and waits until it is sent; answers the number it went from. */
  async function sendNow(headers: Record<string, string>, body: Record<string, unknown>) {
    const sent = await http().post('/api/v1/messages?wait=10').set(headers).send(body);
    expect(sent.body).toMatchObject({ status: 'sent' });
    return sent.body.from as string;
  }

  beforeAll(async () => {
    stack = await startStack(POOL);
    ({ fake, app } = stack);
  });
  afterAll(() => stack.close());

  it("refuses `from` = the number of another account's conversation with the recipient (422 SENDER_NOT_AVAILABLE), storing nothing", async () => {
    const [attacker, victim] = [await createAccount(app), await createAccount(app)];
    const phone = uniquePhone();
    const victimNumber = await sendNow(victim.headers, { to: phone, body: 'from the victim' });

    const attack = await http()
      .post('/api/v1/messages')
      .set(attacker.headers)
      .send({ to: phone, body: 'Reply STOP to unsubscribe', from: victimNumber });
    expect(attack.status).toBe(422);
    expect(attack.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(attack.body).toMatchObject({ code: 'SENDER_NOT_AVAILABLE' });
    expect(attack.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    // Twice, so that a cached answer is refused too.
    const again = await http()
      .post('/api/v1/messages')
      .set(attacker.headers)
      .send({ to: phone, body: 'again', from: victimNumber });
    expect(again.body.code).toBe('SENDER_NOT_AVAILABLE');
    const inBatch = await http()
      .post('/api/v1/messages/batch')
      .set(attacker.headers)
      .send({
        messages: [
          { to: uniquePhone(), body: 'innocent' },
          { to: phone, body: 'hidden in a batch', from: victimNumber },
        ],
      });
    expect(inBatch.status).toBe(422);
    expect(inBatch.body).toMatchObject({
      code: 'SENDER_NOT_AVAILABLE',
      errors: [expect.objectContaining({ field: 'messages[1].from' })],
    });
    expect(await messagesOf(attacker.account.id)).toBe(0);
    expect(fake.messagesTo(phone).map((text) => text.body)).toEqual(['from the victim']);

    // The phone's answer still reaches the victim, and only the victim.
    await postInboundSms(app, fake, { from: phone, to: victimNumber, body: 'STOP' }).expect(200);
    const optedOut = await db().query('SELECT account_id FROM opt_outs WHERE phone = $1', [phone]);
    expect(optedOut).toEqual([{ account_id: victim.account.id }]);
  });

  it("refuses `from` = the number of the recipient's group membership (422 SENDER_NOT_AVAILABLE)", async () => {
    const member = await signUpThroughSms(app, fake, { name: 'Member' });
    const created = await http()
      .post('/api/v1/groups')
      .set(member.headers)
      .send({ name: `club-${Date.now().toString(36)}` });
    expect(created.status).toBe(201);
    const attacker = await createAccount(app);

    const attack = await http()
      .post('/api/v1/messages')
      .set(attacker.headers)
      .send({ to: member.phone, body: 'LEAVE', from: created.body.number });
    expect(attack.status).toBe(422);
    expect(attack.body.code).toBe('SENDER_NOT_AVAILABLE');
    expect(await messagesOf(attacker.account.id)).toBe(0);
  });

  it('binds nothing for an automatic message: the goodbye of the last member out leaves the number free', async () => {
    const member = await signUpThroughSms(app, fake, { name: 'Leaver' });
    const created = await http()
      .post('/api/v1/groups')
      .set(member.headers)
      .send({ name: `solo-${Date.now().toString(36)}` });
    expect(created.status).toBe(201);
    await postInboundSms(app, fake, {
      from: member.phone,
      to: created.body.number,
      body: 'LEAVE',
    }).expect(200);
    const [goodbye] = await eventually(
      async () => fake.messagesTo(member.phone).filter((text) => text.body.startsWith('You left')),
      (texts) => texts.length === 1,
    );
    expect(goodbye.from).toBe(created.body.number);
    await eventually(
      () =>
        db().query("SELECT status FROM messages WHERE to_number = $1 AND body LIKE 'You left%'", [
          member.phone,
        ]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'sent',
    );
    expect(await bindingsOf(member.phone)).toEqual([]);
  });

  it('refuses `from` = another number than the one of the caller’s conversation with the recipient', async () => {
    const account = await createAccount(app);
    const phone = uniquePhone();
    const number = await sendNow(account.headers, { to: phone, body: 'first' });
    const other = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({ to: phone, body: 'second', from: otherNumber(number) });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('SENDER_NOT_AVAILABLE');
    // The conversation's own number is fine, given or not.
    expect(await sendNow(account.headers, { to: phone, body: 'third', from: number })).toBe(number);
    expect(await sendNow(account.headers, { to: phone, body: 'fourth' })).toBe(number);
  });

  it('binds an unbound number given as `from` when the message is sent: the reply comes back to the sender', async () => {
    const account = await createAccount(app);
    const phone = uniquePhone();
    expect(await sendNow(account.headers, { to: phone, body: 'hi', from: POOL[1] })).toBe(POOL[1]);
    expect(await bindingsOf(phone)).toEqual([
      { pool_number: POOL[1], account_id: account.account.id },
    ]);
    await postInboundSms(app, fake, { from: phone, to: POOL[1], body: 'hello back' }).expect(200);
    const [reply] = await db().query(
      "SELECT account_id FROM messages WHERE from_number = $1 AND body = 'hello back'",
      [phone],
    );
    expect(reply.account_id).toBe(account.account.id);
  });

  it('binds nothing for a scheduled message until it is sent: canceled, it leaves no binding', async () => {
    const account = await createAccount(app);
    const phone = uniquePhone();
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({ to: phone, body: 'later', scheduledAt });
    const withFrom = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({ to: phone, body: 'later too', from: POOL[0], scheduledAt });
    expect([scheduled.status, withFrom.status]).toEqual([202, 202]);
    expect(await bindingsOf(phone)).toEqual([]);
    for (const message of [scheduled, withFrom]) {
      await http()
        .post(`/api/v1/messages/${message.body.id}/cancel`)
        .set(account.headers)
        .expect(200);
    }
    expect(await bindingsOf(phone)).toEqual([]);
  });

  it('lets no one exhaust a phone’s numbers without sending: unsent messages hold none', async () => {
    const phone = uniquePhone();
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    for (let i = 0; i < POOL.length + 1; i++) {
      await http()
        .post('/api/v1/messages')
        .set((await createAccount(app)).headers)
        .send({ to: phone, body: 'a year from now', scheduledAt })
        .expect(202);
    }
    const sender = await createAccount(app);
    await sendNow(sender.headers, { to: phone, body: 'still reachable' });
    expect((await bindingsOf(phone)).map((binding) => binding.account_id)).toEqual([
      sender.account.id,
    ]);
  });

  it('fails a message at dispatch (SENDER_NOT_AVAILABLE) whose number was bound to another account after it was accepted', async () => {
    const [late, early] = [await createAccount(app), await createAccount(app)];
    const phone = uniquePhone();
    const accepted = await http()
      .post('/api/v1/messages')
      .set(late.headers)
      .send({
        to: phone,
        body: 'meant to be from POOL[0]',
        from: POOL[0],
        scheduledAt: new Date(Date.now() + 2_000).toISOString(),
      });
    expect(accepted.status).toBe(202);
    expect(await sendNow(early.headers, { to: phone, body: 'first', from: POOL[0] })).toBe(POOL[0]);
    const failed = await eventually(
      async () => (await http().get(`/api/v1/messages/${accepted.body.id}`).set(late.headers)).body,
      (message) => message.status !== 'scheduled' && message.status !== 'sending',
      15_000,
    );
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'SENDER_NOT_AVAILABLE' });
    expect(fake.messagesTo(phone).map((text) => text.body)).toEqual(['first']);
    expect(await bindingsOf(phone)).toEqual([
      { pool_number: POOL[0], account_id: early.account.id },
    ]);
  });

  it('still answers 409 NUMBER_POOL_EXHAUSTED, single or in a batch, once every number is bound to the recipient', async () => {
    const phone = uniquePhone();
    for (let i = 0; i < POOL.length; i++) {
      await sendNow((await createAccount(app)).headers, { to: phone, body: 'taken' });
    }
    const third = await createAccount(app);
    const single = await http()
      .post('/api/v1/messages')
      .set(third.headers)
      .send({ to: phone, body: 'no room' });
    expect(single.status).toBe(409);
    expect(single.body.code).toBe('NUMBER_POOL_EXHAUSTED');
    const batch = await http()
      .post('/api/v1/messages/batch')
      .set(third.headers)
      .send({
        messages: [
          { to: uniquePhone(), body: 'fine' },
          { to: phone, body: 'no room' },
        ],
      });
    expect(batch.status).toBe(409);
    expect(batch.body.code).toBe('NUMBER_POOL_EXHAUSTED');
    expect(await messagesOf(third.account.id)).toBe(0);
  });

  it('names SENDER_NOT_AVAILABLE and NUMBER_POOL_EXHAUSTED in the OpenAPI document', async () => {
    const document = (await http().get('/docs-json')).body;
    for (const path of ['/api/v1/messages', '/api/v1/messages/batch']) {
      const responses = document.paths[path].post.responses;
      expect(responses['422'].description).toContain('SENDER_NOT_AVAILABLE');
      expect(responses['409'].description).toContain('NUMBER_POOL_EXHAUSTED');
    }
  });
});
