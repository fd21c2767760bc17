import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/**
 * The Standard Webhooks signature of one delivery: HMAC-SHA256 of `id.timestamp.body`, keyed by
 * the secret's base64 part, as `v1,<base64>`. Several secrets (during a rotation) give several
 * signatures separated by spaces; a receiver accepts the request if any one matches.
 */
export function webhookSignature(secrets: string[], id: string, timestamp: number, body: string) {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}
