import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import twilio from 'twilio';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { createTestApp, urlOf } from './helpers/test-app';
import { twilioEnv } from './helpers/twilio-env';

// Every operation the API documents, called with what a careless or hostile client sends: each
// answer must be a 4xx (or a success), never a 5xx, and every 4xx a problem with a stable code.
// Switchboard answered 500 to some bad input until such a sweep found it.

/** Path parameters: not ids, not numbers, not text a database takes (NUL), too long. */
const BAD_PARAMETERS = ['x', '-1', '99999999999999999999', '%00', '%F0%9F%98%80', '+1'.repeat(200)];

/** Query strings every list and wait understands, wrong. */
const BAD_QUERIES = [
  '',
  '?limit=-1&cursor=zzz',
  '?limit=1e9&status=bogus&since=yesterday&until=2026-13-45',
  '?status=queued&status=sent&peer=%00',
  `?cursor=${'A'.repeat(500)}&search=${'a'.repeat(3000)}`,
  '?wait=31',
];

const deep = (levels: number) => `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`;

/** Bodies: not JSON, the wrong JSON, wrong types, NUL characters, too deep. */
const BAD_BODIES = [
  '{',
  '[]',
  'null',
  '"text"',
  JSON.stringify({ to: 123, body: [], name: null, phone: { $gt: '' }, password: 1 }),
  JSON.stringify({ messages: [null, 1, 'x', {}] }),
  JSON.stringify({ to: '+14155550123', body: 'x', scheduledAt: '2026-99-99', route: 'device' }),
  JSON.stringify({ to: '+14155550123', body: 'nul \u0000', name: '\u0000', code: '\u0000' }),
  JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { admin: true } } }),
  deep(5000),
];

interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
}

describe('bad input, on every documented operation', () => {
  let app: NestExpressApplication;
  let fake: FakeTwilio;
  let headers: Record<string, string>;
  let operations: Operation[];

  beforeAll(async () => {
    // Twilio configured (the fake is never called), so that its webhooks check signatures.
    fake = await FakeTwilio.start();
    app = await createTestApp(twilioEnv(fake));
    headers = (await createAccount(app)).headers;
    const document = (await request(app.getHttpServer()).get('/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method, path }) as Operation),
    );
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('answers 4xx problems, never a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(40);
    const server = app.getHttpServer();
    const wrong: string[] = [];
    let sent = 0;
    for (const { method, path } of operations) {
      const hasParameters = path.includes('{');
      for (const parameter of hasParameters ? BAD_PARAMETERS : ['']) {
        const url = path.replace(/\{[^}]+\}/g, parameter);
        const withBody = method === 'post' || method === 'patch' || method === 'put';
        for (const query of BAD_QUERIES) {
          for (const body of withBody ? BAD_BODIES : [undefined]) {
            let call = request(server)
              [method](url + query)
              .set(headers);
            if (body !== undefined) call = call.set('content-type', 'application/json').send(body);
            const { status, body: answer } = await call;
            sent++;
            const problem = status < 400 || (status < 500 && typeof answer?.code === 'string');
            if (!problem) {
              wrong.push(
                `${method.toUpperCase()} ${url + query} ${body?.slice(0, 40)} → ${status}`,
              );
            }
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(wrong).toEqual([]);
    // Some thousand requests over every documented operation (more with each feature): longer
    // than the suite's per-test default on a loaded machine.
  }, 180_000);

  it("answers Twilio's signed webhooks that carry nonsense with 2xx or 4xx, never a 5xx", async () => {
    const sid = 'SM' + '0'.repeat(32);
    const nonsense: Array<Record<string, string>> = [
      {},
      { MessageSid: sid },
      { MessageSid: sid, From: 'not a number', To: 'nor this', Body: 'hi' },
      { MessageSid: sid, From: '+14155550123', To: '+12015550100', Body: 'x'.repeat(100_000) },
      { MessageSid: '\u0000', From: '+1415\u0000', To: '\u0000', Body: '\u0000' },
      { MessageSid: sid, MessageStatus: 'exploded', ErrorCode: 'NaN' },
      { MessageSid: 'not-a-sid', MessageStatus: 'delivered', ErrorCode: '99999999999999999999' },
    ];
    const wrong: string[] = [];
    for (const path of ['/webhooks/twilio/sms', '/webhooks/twilio/status']) {
      for (const params of nonsense) {
        const signature = twilio.getExpectedTwilioSignature(
          fake.authToken,
          urlOf(app) + path,
          params,
        );
        const { status } = await request(app.getHttpServer())
          .post(path)
          .type('form')
          .set('X-Twilio-Signature', signature)
          .send(params);
        if (status >= 500) wrong.push(`${path} ${JSON.stringify(params).slice(0, 60)} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
