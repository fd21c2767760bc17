import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets that must be readable again (webhook signing secrets, the keys phones sign their
 * webhooks with) cannot be hashed like API keys: they are stored encrypted (AES-256-GCM) with
 * WEBHOOK_SECRET_KEY, and a database dump alone reveals none. `context` (e.g. the row's id) is
 * bound to the ciphertext as associated data, so a value copied onto another row does not open.
 */
@Injectable()
export class SecretCipher {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = config.get('WEBHOOK_SECRET_KEY');
  }

  encrypt(secret: string, context?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const encrypted = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64')}`;
  }

  /** Throws when the value was not sealed by this key (and context). */
  decrypt(stored: string, context?: string): string {
    const [format, payload] = stored.split(':');
    if (format !== FORMAT || !payload) throw new Error('Unknown secret format');
    const bytes = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}
