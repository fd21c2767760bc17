import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How SMS Gateway for Android signs a webhook: HMAC-SHA256, keyed with the UTF-8 bytes of its
 * signing key, over the request body exactly as sent followed by the X-Timestamp value (Unix
 * seconds, decimal); X-Signature carries it in lowercase hex. The timestamp is inside the MAC, so
 * a captured request cannot be re-dated.
 */
export function signSmsGatewayWebhook(key: string, body: Buffer, timestamp: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(body)
    .update(timestamp, 'utf8')
    .digest('hex');
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Constant-time: how much of a forged signature matches is never measurable. */
export function isSmsGatewaySignatureValid(
  key: string,
  body: Buffer,
  timestamp: string,
  signature: string,
): boolean {
  if (!HEX_SHA256.test(signature)) return false;
  const expected = Buffer.from(signSmsGatewayWebhook(key, body, timestamp), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
