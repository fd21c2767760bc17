import { ChildProcess } from 'node:child_process';
import twilio from 'twilio';
import { eventually } from './helpers/eventually';
import { freePort } from './helpers/free-port';
import { jsonLines, runLogging, stop, untilHealthy } from './helpers/logging-process';
import { fakeMessageSid } from './helpers/twilio-webhook';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'request-logs-auth-token';

/**
 * The compiled API at log level info: a line that a service writes while it handles a request
 * carries that request's id, as does the request's own line.
 */
describe('request ids in logs', () => {
  let api: { child: ChildProcess; logs: () => string };
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = runLogging('apps/api/src/main.js', {
      LOG_LEVEL: 'info',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBERS: '+14155550100',
    });
    await untilHealthy(base);
  });
  afterAll(() => stop(api.child));

  it('tags what a service logs during a request with the X-Request-Id the caller gave', async () => {
    // An SMS to a number nobody is bound to: the inbound service warns that it stored it unrouted.
    const params = {
      MessageSid: fakeMessageSid(),
      AccountSid: ACCOUNT_SID,
      From: '+14155550199',
      To: '+14155550100',
      Body: 'anyone there?',
    };
    const url = `${base}/webhooks/twilio/sms`;
    const answer = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-request-id': 'trace-me-42',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('trace-me-42');

    const lines = await eventually(
      async () => jsonLines(api.logs()).filter((line) => line.requestId === 'trace-me-42'),
      (found) => found.some((line) => line.msg === 'request completed'),
      5_000,
    );
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'Inbound SMS matches no number binding; stored as unrouted',
        'request completed',
      ]),
    );
    // Nothing else of that request went out without its id.
    const unrouted = jsonLines(api.logs()).filter(
      (line) => line.msg === 'Inbound SMS matches no number binding; stored as unrouted',
    );
    expect(unrouted.every((line) => line.requestId === 'trace-me-42')).toBe(true);
  });
});
