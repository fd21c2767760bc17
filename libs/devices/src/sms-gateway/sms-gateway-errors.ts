import { HttpStatus } from '@nestjs/common';
import { AppException } from '@app/core';

/** Stable codes of the SMS Gateway for Android webhook intake (README, Android phones). */
export const SmsGatewayWebhookErrorCode = {
  SignatureMissing: 'SMS_GATEWAY_SIGNATURE_MISSING',
  SignatureInvalid: 'SMS_GATEWAY_SIGNATURE_INVALID',
  TimestampStale: 'SMS_GATEWAY_TIMESTAMP_STALE',
  Replayed: 'SMS_GATEWAY_WEBHOOK_REPLAYED',
  PayloadInvalid: 'SMS_GATEWAY_PAYLOAD_INVALID',
} as const;

export function signatureMissing(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    SmsGatewayWebhookErrorCode.SignatureMissing,
    'X-Signature and X-Timestamp are required: the app signs with the key GET /settings gave it.',
  );
}

/** Also the answer for an unknown or revoked device, so that device ids cannot be probed. */
export function signatureInvalid(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    SmsGatewayWebhookErrorCode.SignatureInvalid,
    'X-Signature does not match this request and the device’s signing key.',
  );
}

export function timestampStale(windowSeconds: number): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    SmsGatewayWebhookErrorCode.TimestampStale,
    `X-Timestamp must be Unix seconds within ${windowSeconds} s of the server's clock.`,
    { extensions: { windowSeconds } },
  );
}

export function webhookReplayed(): AppException {
  return new AppException(
    HttpStatus.CONFLICT,
    SmsGatewayWebhookErrorCode.Replayed,
    'This signed request was already received; the app signs each attempt afresh.',
  );
}

export function payloadInvalid(detail: string): AppException {
  return new AppException(
    HttpStatus.BAD_REQUEST,
    SmsGatewayWebhookErrorCode.PayloadInvalid,
    detail,
  );
}
