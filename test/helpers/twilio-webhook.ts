import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import twilio from 'twilio';
import { FakeTwilio } from '../fakes/fake-twilio';
import { urlOf } from './test-app';

export function fakeMessageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** Posts an inbound SMS exactly as Twilio would: form-encoded and signed for the public URL. */
export function postInboundSms(
  app: NestExpressApplication,
  fake: FakeTwilio,
  sms: { from: string; to: string; body: string; messageSid?: string },
) {
  const params = {
    MessageSid: sms.messageSid ?? fakeMessageSid(),
    AccountSid: fake.accountSid,
    From: sms.from,
    To: sms.to,
    Body: sms.body,
    NumMedia: '0',
  };
  const path = '/webhooks/twilio/sms';
  const signature = twilio.getExpectedTwilioSignature(fake.authToken, urlOf(app) + path, params);
  return request(app.getHttpServer())
    .post(path)
    .type('form')
    .set('X-Twilio-Signature', signature)
    .send(params);
}
