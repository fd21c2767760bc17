import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/core';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Its own key, derived: knowing it tells nothing of the token-signing secret, nor the reverse.
const KEY_INFO = 'switchboard: sealed message body (v1)';

/** The key that seals message bodies, derived (HKDF-SHA256) from AUTH_TOKEN_SECRET. */
export function messageSealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_INFO, 32));
}

/**
 * AES-256-GCM with a fresh IV. The recipient is authenticated with it, so a sealed text moved onto
 * a message to another phone does not open.
 */
export function sealMessageBody(key: Buffer, text: string, recipient: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(recipient, 'utf8'));
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return [FORMAT, iv, sealed, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The text, or null when it was sealed with another key, for another recipient, or altered. */
export function openMessageBody(key: Buffer, sealed: string, recipient: string): string | null {
  const [format, iv, text, tag, ...rest] = sealed.split('.');
  if (format !== FORMAT || iv === undefined || text === undefined || !tag || rest.length > 0) {
    return null;
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(recipient, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(text, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The real text of a sensitive message (a sign-in code), kept sealed in `messages.sealed_body`
 * until the worker sends it, and dropped once the message is sent, failed or expired. The API and
 * the worker must share AUTH_TOKEN_SECRET to read each other's.
 */
@Injectable()
export class SealedMessageBodies {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = messageSealingKey(config.get('AUTH_TOKEN_SECRET'));
  }

  seal(text: string, recipient: string): string {
    return sealMessageBody(this.key, text, recipient);
  }

  open(sealed: string, recipient: string): string | null {
    return openMessageBody(this.key, sealed, recipient);
  }
}
