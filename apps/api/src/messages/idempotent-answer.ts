import type { Response } from 'express';
import { IdempotentResult } from '@app/messaging';

/** The documentation of the `Idempotency-Key` header, for every endpoint that takes it. */
export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Retry safely: the key is stored with the messages, in the same commit. The same key and body replay the committed answer (24 h), even after a crash or a timeout; a duplicate sent meanwhile waits for the first one to commit and gets its answer; another body is 422 IDEMPOTENCY_KEY_REUSED; a key that is not 1 to 255 printable ASCII characters is 400 INVALID_IDEMPOTENCY_KEY.',
};

/** Sends an idempotent result as its own status, marking a replayed answer as such. */
export function idempotentAnswer(response: Response, result: IdempotentResult): unknown {
  response.status(result.status);
  if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
  return result.body;
}
