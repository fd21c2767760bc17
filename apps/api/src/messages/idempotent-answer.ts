import type { Response } from 'express';
import { IdempotentResult } from '@app/messaging';

/** The documentation of the `Idempotency-Key` header, for every endpoint that takes it. */
export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Retry safely: the same key and body replay the first answer (24 h); another body is 422, a duplicate still in flight 409.',
};

/** Sends an idempotent result as its own status, marking a replayed answer as such. */
export function idempotentAnswer(response: Response, result: IdempotentResult): unknown {
  response.status(result.status);
  if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
  return result.body;
}
