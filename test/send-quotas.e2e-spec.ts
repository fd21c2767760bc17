import { spawnSync } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccountSendLimitsService } from '@app/auth';
import { Clock, REDIS_CLIENT } from '@app/core';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import {
  SignedInUser,
  lastCodeSentTo,
  signUpWithPhone,
  uniqueIp,
  uniquePhone,
} from './helpers/auth.factory';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';
import { createTestApp } from './helpers/test-app';
import { TestClock } from './helpers/test-clock';
import { postInboundSms } from './helpers/twilio-webhook';
import { twilioEnv } from './helpers/twilio-env';

const POOL = ['+12015550100', '+12015550101'];
// 30 seconds before the end of a minute, and 13 h 59 min 30 s before the end of the UTC day.
const START = new Date('2031-05-06T10:00:30.000Z');
const SECONDS_TO_MIDNIGHT = 13 * 3600 + 59 * 60 + 30;
// 200 GSM characters: two segments (153 each once split).
const TWO_SEGMENTS = 'x'.repeat(200);

describe('sending quotas per account', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let clock: TestClock;

  const http = () => request(app.getHttpServer());
  const send = (headers: Record<string, string>, body = 'hello', to = uniquePhone()) =>
    http().post('/api/v1/messages').set(headers).send({ to, body });
  const outboundCount = async (accountId: string): Promise<number> => {
    const [{ count }] = await app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS count FROM messages WHERE account_id = $1 AND direction = 'outbound'`,
        [accountId],
      );
    return count;
  };
  const setLimits = (accountId: string, perMinute: number | null, perDay: number | null) =>
    app.get(AccountSendLimitsService).set(accountId, { perMinute, perDay });
  const me = async (headers: Record<string, string>) =>
    (await http().get('/api/v1/me').set(headers).expect(200)).body;

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    clock = new TestClock(START);
    app = await createTestApp(twilioEnv(fake, POOL), [{ provide: Clock, useValue: clock }]);
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });
  beforeEach(() => clock.advance(START.getTime() - clock.now().getTime()));

  it('a signed-up phone account hits its quota: 10 segments a minute, then 429 until the minute ends', async () => {
    const user = await signUpWithPhone(app);
    expect(await me(user.headers)).toMatchObject({
      limits: { perMinute: 10, perDay: 100 },
      usage: { today: 0, remainingToday: 100, resetsAt: '2031-05-07T00:00:00.000Z' },
    });
    for (let i = 0; i < 10; i++) await send(user.headers).expect(202);

    const refused = await send(user.headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'SEND_QUOTA_EXCEEDED', retryAfter: 30 });
    expect(refused.headers['retry-after']).toBe('30');
    expect(await outboundCount(user.accountId)).toBe(10);

    clock.advance(30_000);
    await send(user.headers).expect(202);
    expect((await me(user.headers)).usage).toEqual({
      today: 11,
      remainingToday: 89,
      resetsAt: '2031-05-07T00:00:00.000Z',
    });
  });

  it('counts segments, as carriers bill them', async () => {
    const user = await signUpWithPhone(app);
    for (let i = 0; i < 5; i++) await send(user.headers, TWO_SEGMENTS).expect(202);
    const refused = await send(user.headers, 'one more');
    expect(refused.status).toBe(429);
    expect((await me(user.headers)).usage.today).toBe(10);
  });

  it('stops at the daily limit until midnight UTC', async () => {
    const account = await createAccount(app);
    await setLimits(account.account.id, null, 3);
    for (let i = 0; i < 3; i++) await send(account.headers).expect(202);
    const refused = await send(account.headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT));
    expect((await me(account.headers)).usage).toMatchObject({ today: 3, remainingToday: 0 });

    clock.advance(SECONDS_TO_MIDNIGHT * 1000);
    await send(account.headers).expect(202);
    expect((await me(account.headers)).usage).toEqual({
      today: 1,
      remainingToday: 2,
      resetsAt: '2031-05-08T00:00:00.000Z',
    });
  });

  it('takes a batch whole or not at all', async () => {
    const user = await signUpWithPhone(app);
    await send(user.headers).expect(202);
    const batch = (count: number) =>
      http()
        .post('/api/v1/messages/batch')
        .set(user.headers)
        .send({
          messages: Array.from({ length: count }, () => ({ to: uniquePhone(), body: 'hi' })),
        });
    const tooMany = await batch(10);
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.code).toBe('SEND_QUOTA_EXCEEDED');
    expect(await outboundCount(user.accountId)).toBe(1);
    await batch(9).expect(202);
    expect(await outboundCount(user.accountId)).toBe(10);
  });

  it('refuses a request larger than a whole window, with no Retry-After to wait for', async () => {
    const user = await signUpWithPhone(app);
    const huge = await http()
      .post('/api/v1/messages/batch')
      .set(user.headers)
      .send({ messages: Array.from({ length: 11 }, () => ({ to: uniquePhone(), body: 'hi' })) });
    expect(huge.status).toBe(429);
    expect(huge.body.code).toBe('SEND_QUOTA_EXCEEDED');
    expect(huge.headers['retry-after']).toBeUndefined();
    expect(await outboundCount(user.accountId)).toBe(0);
  });

  it('holds under concurrent requests to two API instances', async () => {
    const second = await createTestApp(twilioEnv(fake, POOL), [
      { provide: Clock, useValue: clock },
    ]);
    try {
      const user = await signUpWithPhone(app);
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          request((i % 2 ? second : app).getHttpServer())
            .post('/api/v1/messages')
            .set(user.headers)
            .send({ to: uniquePhone(), body: `attempt ${i}` }),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses.filter((status) => status === 202)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(14);
      expect(await outboundCount(user.accountId)).toBe(10);
    } finally {
      await second.close();
    }
  });

  it('counts conversation and session sends alike', async () => {
    const user = await signUpWithPhone(app);
    await setLimits(user.accountId, 2, null);
    const peer = uniquePhone();
    await http()
      .post(`/api/v1/conversations/${encodeURIComponent(peer)}/messages`)
      .set(user.headers)
      .send({ body: 'hi' })
      .expect(202);
    await http()
      .post('/api/v1/messages')
      .set(user.headers)
      .send({ to: peer, body: 'in a session', sessionId: 'chat-1' })
      .expect(202);
    const conversation = await http()
      .post(`/api/v1/conversations/${encodeURIComponent(peer)}/messages`)
      .set(user.headers)
      .send({ body: 'again' });
    expect(conversation.status).toBe(429);
    expect(conversation.body.code).toBe('SEND_QUOTA_EXCEEDED');
    const session = await http()
      .post('/api/v1/messages')
      .set(user.headers)
      .send({ to: peer, body: 'again', sessionId: 'chat-1' });
    expect(session.status).toBe(429);
    expect(await outboundCount(user.accountId)).toBe(2);
  });

  it('gives the segments back when the messages are not stored', async () => {
    const user = await signUpWithPhone(app);
    await setLimits(user.accountId, 2, null);
    const peer = uniquePhone();
    await http()
      .post('/api/v1/messages')
      .set(user.headers)
      .send({ to: peer, body: 'opening', sessionId: 'closing' })
      .expect(202);
    await http().post('/api/v1/sessions/closing/close').set(user.headers).expect(200);
    for (let i = 0; i < 3; i++) {
      const refused = await http()
        .post('/api/v1/messages')
        .set(user.headers)
        .send({ to: peer, body: 'too late', sessionId: 'closing' });
      expect(refused.body.code).toBe('SESSION_CLOSED');
    }
    await send(user.headers).expect(202);
    expect((await me(user.headers)).usage.today).toBe(2);
  });

  it('costs an unlimited account nothing in Redis, and GET /me says unlimited', async () => {
    const account = await createAccount(app);
    for (let i = 0; i < 15; i++) await send(account.headers).expect(202);
    const redis = app.get<Redis>(REDIS_CLIENT);
    expect(
      await redis.keys(`${process.env.REDIS_PREFIX}:send-quota:${account.account.id}:*`),
    ).toEqual([]);
    expect(await me(account.headers)).toMatchObject({
      limits: { perMinute: null, perDay: null },
      usage: { today: null, remainingToday: null },
    });
  });

  describe('groups', () => {
    const createGroup = async (members: SignedInUser[]) => {
      const name = `quota-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
      const numbers: Record<string, string> = {};
      for (const [index, member] of members.entries()) {
        const joined = await http()
          .post(index === 0 ? '/api/v1/groups' : `/api/v1/groups/${name}/members`)
          .set(member.headers)
          .send(index === 0 ? { name } : {});
        expect(joined.status).toBe(201);
        numbers[member.accountId] = joined.body.number;
      }
      return { name, numbers };
    };
    const groupTexts = async (body: string): Promise<number> => {
      const [{ count }] = await app
        .get(DataSource)
        .query(`SELECT count(*)::int AS count FROM messages WHERE body LIKE $1`, [`%${body}%`]);
      return count;
    };

    it('an app post counts its fan-out (members × segments) against the poster', async () => {
      const [alice, bob, carol] = [
        await signUpWithPhone(app, { name: 'Alice' }),
        await signUpWithPhone(app, { name: 'Bob' }),
        await signUpWithPhone(app, { name: 'Carol' }),
      ];
      const { name } = await createGroup([alice, bob, carol]);
      const post = (body: string) =>
        http().post(`/api/v1/groups/${name}/messages`).set(alice.headers).send({ body });
      // Alice's welcome (1) and four posts to two others (8): 9 of her 10 this minute.
      for (let i = 0; i < 4; i++) await post(`fan-out ${i}`).expect(201);
      const refused = await post('fan-out over quota');
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('SEND_QUOTA_EXCEEDED');
      expect(await groupTexts('fan-out over quota')).toBe(0);
      expect((await me(alice.headers)).usage.today).toBe(9);
      expect((await me(bob.headers)).usage.today).toBe(1);
    });

    it("a member's SMS over quota is kept but not relayed", async () => {
      const [dave, erin] = [
        await signUpWithPhone(app, { name: 'Dave' }),
        await signUpWithPhone(app, { name: 'Erin' }),
      ];
      const { numbers } = await createGroup([dave, erin]);
      await setLimits(dave.accountId, 1, null);
      clock.advance(30_000); // past the minute of Dave's welcome
      const text = (body: string) =>
        postInboundSms(app, fake, { from: dave.phone, to: numbers[dave.accountId], body }).expect(
          200,
        );
      await text('first text');
      await text('second text');
      // The inbound text and its one relay; then the inbound text alone.
      expect(await groupTexts('first text')).toBe(2);
      expect(await groupTexts('second text')).toBe(1);
    });

    it("counts a member's welcome and goodbye: over quota, joining waits, leaving does not", async () => {
      const [frank, grace] = [
        await signUpWithPhone(app, { name: 'Frank' }),
        await signUpWithPhone(app, { name: 'Grace' }),
      ];
      const { name } = await createGroup([frank]);
      await setLimits(grace.accountId, 1, null);
      await send(grace.headers).expect(202);
      const join = () => http().post(`/api/v1/groups/${name}/members`).set(grace.headers);
      const refused = await join();
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('SEND_QUOTA_EXCEEDED');
      const members = async () =>
        (await http().get(`/api/v1/groups/${name}`).set(frank.headers)).body.members.map(
          (member: { name: string }) => member.name,
        );
      expect(await members()).toEqual(['Frank']);

      clock.advance(30_000);
      await join().expect(201);
      await http().delete(`/api/v1/groups/${name}/members/me`).set(grace.headers).expect(204);
      expect(await members()).toEqual(['Frank']);
      expect(await outboundCount(grace.accountId)).toBe(2); // the message and the welcome
      expect(await groupTexts(`You left '${name}'`)).toBe(0);
    });
  });

  describe('account:limits', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [compiledEntry('apps/api/src/cli/account-limits.js'), ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, LOG_LEVEL: 'error' },
        encoding: 'utf8',
        timeout: 30_000,
      });

    it("sets one account's limits, and --reset returns it to its defaults", async () => {
      const user = await signUpWithPhone(app);
      const set = run([
        '--account',
        user.accountId,
        '--per-minute',
        '50',
        '--per-day',
        'unlimited',
      ]);
      expect(set.stderr).toBe('');
      expect(set.status).toBe(0);
      expect((await me(user.headers)).limits).toEqual({ perMinute: 50, perDay: null });
      for (let i = 0; i < 12; i++) await send(user.headers).expect(202);

      const other = await signUpWithPhone(app);
      expect(run(['--account', other.accountId, '--per-day', '0']).status).toBe(0);
      expect(run(['--account', other.accountId, '--reset']).status).toBe(0);
      expect((await me(other.headers)).limits).toEqual({ perMinute: 10, perDay: 100 });
    });

    it('explains its usage and names an unknown account', () => {
      expect(run(['--account', 'nope', '--per-day', '5']).status).toBe(2);
      expect(run(['--account', '00000000-0000-4000-8000-000000000000']).status).toBe(2);
      const wrong = run(['--account', '00000000-0000-4000-8000-000000000000', '--per-day', 'x']);
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toContain('--per-day');
      const unknown = run(['--account', '00000000-0000-4000-8000-000000000000', '--per-day', '5']);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('No such account');
    });
  });

  it('lists the new answers in the OpenAPI document of every route that sends', async () => {
    const { paths } = (await http().get('/docs-json').expect(200)).body;
    for (const path of [
      '/api/v1/messages',
      '/api/v1/messages/batch',
      '/api/v1/conversations/{phone}/messages',
      '/api/v1/groups/{name}/messages',
      '/api/v1/groups',
      '/api/v1/groups/{name}/members',
    ]) {
      expect(paths[path].post.responses['429'].description).toContain('SEND_QUOTA_EXCEEDED');
      expect(paths[path].post.responses['503'].description).toContain('SEND_QUOTA_UNAVAILABLE');
    }
    for (const path of ['/api/v1/auth/otp', '/api/v1/auth/register']) {
      expect(paths[path].post.responses['403'].description).toContain('SIGNUP_DISABLED');
    }
    const me = paths['/api/v1/me'].get.responses['200'].content['application/json'].schema;
    expect(me.$ref).toContain('MeDto');
  });

  describe('SIGNUP_ENABLED=false', () => {
    it('refuses codes to unknown phones (403 SIGNUP_DISABLED), not to existing accounts', async () => {
      const existing = await signUpWithPhone(app);
      const closed = await createTestApp({ SIGNUP_ENABLED: 'false' }, [
        { provide: Clock, useValue: clock },
      ]);
      try {
        const ask = (path: string, body: object) =>
          request(closed.getHttpServer())
            .post(`/api/v1/auth/${path}`)
            .set('X-Forwarded-For', uniqueIp())
            .send(body);
        const stranger = uniquePhone();
        for (const [path, body] of [
          ['otp', { phone: stranger }],
          ['register', { phone: stranger, name: 'Mallory' }],
        ] as const) {
          const refused = await ask(path, body);
          expect(refused.status).toBe(403);
          expect(refused.body.code).toBe('SIGNUP_DISABLED');
        }
        const [{ count }] = await app
          .get(DataSource)
          .query(`SELECT count(*)::int AS count FROM messages WHERE to_number = $1`, [stranger]);
        expect(count).toBe(0);
        await ask('otp', { phone: existing.phone }).expect(202);

        // A code texted while sign-up was on creates no account once it is off.
        const late = uniquePhone();
        await http()
          .post('/api/v1/auth/otp')
          .set('X-Forwarded-For', uniqueIp())
          .send({ phone: late })
          .expect(202);
        const verified = await ask('verify', {
          phone: late,
          code: await lastCodeSentTo(app, late),
        });
        expect(verified.status).toBe(403);
        expect(verified.body.code).toBe('SIGNUP_DISABLED');
        const accounts = await app
          .get(DataSource)
          .query(`SELECT id FROM accounts WHERE phone = $1`, [late]);
        expect(accounts).toEqual([]);
      } finally {
        await closed.close();
      }
    });
  });
});
