import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { appSignature, formatGsonDate, gsonStringify } from '../fakes/smsgate-gson';

/**
 * The SMS Gateway for Android app's side of its webhooks, written from its source (v1.68.0):
 * `WebHookEventDTO` as Gson writes it, and `PayloadSingingPlugin`'s signature.
 */

/** The app's JSON (Gson: compact, nulls left out, HTML characters escaped). */
export const gsonJson = gsonStringify;

/** `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the phone's time zone (here +02:00, as a phone abroad). */
export const gsonDate = (date: Date, offsetMinutes = 120): string =>
  formatGsonDate(date, offsetMinutes);

export { appSignature };

export const nowSeconds = () => String(Math.floor(Date.now() / 1000));

export interface SignedWebhook {
  body: string;
  timestamp: string;
  signature: string;
}

/** One attempt at sending: the app signs each attempt at the time it is made. */
export function signWebhook(key: string, body: string, timestamp = nowSeconds()): SignedWebhook {
  return { body, timestamp, signature: appSignature(key, body, timestamp) };
}

/** The envelope of every webhook (WebHookEventDTO: id, webhookId, event, deviceId, payload). */
export function webhookBody(
  event: string,
  webhookId: string,
  deviceId: string,
  payload: Record<string, unknown>,
  id = `ev${Math.random().toString(36).slice(2, 20)}`,
): string {
  return gsonJson({ id, webhookId, event, deviceId, payload });
}

/**
 * `SmsEventPayload.SmsReceived`: its own fields (message, receivedAt), then MessageEventPayload's
 * (messageId, sender, recipient, simNumber, phoneNumber = the sender); `recipient` may be null.
 */
export function smsReceivedPayload(sms: {
  messageId: string;
  sender: string;
  message: string;
  receivedAt: Date;
  recipient?: string | null;
  simNumber?: number | null;
}): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    message: sms.message,
    receivedAt: gsonDate(sms.receivedAt),
    messageId: sms.messageId,
    sender: sms.sender,
  };
  if (sms.recipient != null) payload.recipient = sms.recipient;
  if (sms.simNumber != null) payload.simNumber = sms.simNumber;
  payload.phoneNumber = sms.sender;
  return payload;
}

/**
 * `mapOf("health" to HealthResponse)`: version, releaseId, status, checks; the checks of
 * HealthService (messages:…, connection:…, battery:…), each a CheckResult.
 */
export function pingPayload(status: {
  battery: number;
  chargingFlags: number;
  /** connection:transport: 2 cellular, 4 Wi-Fi, 8 Ethernet (TransportType values, summed). */
  transportFlags?: number;
}) {
  const check = (observedValue: number, observedUnit: string, description: string) => ({
    status: 'pass',
    observedValue,
    observedUnit,
    description,
  });
  return {
    health: {
      version: '1.68.0',
      releaseId: 68000,
      status: 'pass',
      checks: {
        'messages:failed': check(0, 'messages', 'Failed messages for last hour'),
        'connection:status': check(1, 'boolean', 'Internet connection status'),
        'connection:transport': check(
          status.transportFlags ?? 4,
          'flags',
          'Network transport type',
        ),
        'connection:cellular': check(0, 'index', 'Cellular network type'),
        'battery:level': check(status.battery, 'percent', 'Battery level in percent'),
        'battery:charging': check(status.chargingFlags, 'flags', 'Is the phone charging?'),
      },
    },
  };
}

/** POSTs a webhook as the app's OkHttp client does (JSON, its User-Agent, the two headers). */
export function postWebhook(
  app: NestExpressApplication,
  path: string,
  signed: Partial<SignedWebhook> & { body: string },
) {
  const call = request(app.getHttpServer())
    .post(path)
    .set('Content-Type', 'application/json; charset=UTF-8')
    .set('User-Agent', 'me.capcom.smsgateway/1.68.0');
  if (signed.signature !== undefined) call.set('X-Signature', signed.signature);
  if (signed.timestamp !== undefined) call.set('X-Timestamp', signed.timestamp);
  return call.send(signed.body);
}
