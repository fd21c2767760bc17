import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretCipher } from '@app/core';

/** Endpoint signing secrets, stored encrypted (see SecretCipher); no context, as first stored. */
@Injectable()
export class WebhookSecretCipher extends SecretCipher {}

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
