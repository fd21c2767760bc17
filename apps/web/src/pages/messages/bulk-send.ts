/**
 * Sends the good rows of a bulk file through `POST /api/v1/messages/batch`, a chunk at a time.
 *
 * - Each request carries an Idempotency-Key made of the run, the chunk and its revision: a chunk
 *   retried after a lost answer or a 5xx is the same request under the same key, which the API
 *   replays instead of sending twice.
 * - The API takes a batch whole or not at all. When it refuses rows by name (`messages[3].to`),
 *   those rows are set aside with its reasons and the rest of the chunk goes again as a new
 *   revision (a new body needs a new key).
 * - A refusal that names no row (429 SEND_QUOTA_EXCEEDED, a 409, an expired session) stops the
 *   run: what was sent and what was not are both known, and the rest can be sent later.
 */
import { ApiError } from '../../api/problem';

/** The API's SendBatchDto takes up to 1,000 messages; smaller chunks show progress and stop sooner. */
export const MAX_BATCH_SIZE = 1000;
export const CHUNK_SIZE = 100;
const RETRIES = 3;

export interface SendableRow {
  line: number;
  to: string;
  body: string;
  scheduledAt?: string;
}

export interface OutgoingMessage {
  to: string;
  body: string;
  scheduledAt?: string;
}

/** A row the API would not take, and why in its words. */
export interface RefusedRow {
  row: SendableRow;
  reasons: string[];
}

export interface BulkProgress {
  /** Rows handed to the API so far and accepted. */
  accepted: number;
  refused: RefusedRow[];
  total: number;
}

export interface BulkOutcome extends BulkProgress {
  /** Rows not sent because the run stopped (empty when it went to the end). */
  notSent: SendableRow[];
  /** Why the run stopped early (an ApiError, unless something unforeseen broke). */
  stoppedBy?: unknown;
}

/** Sends one chunk under `idempotencyKey`; resolves with how many messages the API accepted. */
export type SendChunk = (messages: OutgoingMessage[], idempotencyKey: string) => Promise<number>;

export interface BulkSendOptions {
  /** Different for every run (a new click), the same for every retry within it. */
  runId: string;
  chunkSize?: number;
  onProgress?: (progress: BulkProgress) => void;
  /** Waits between retries; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether asking again may help: no answer at all, or the server failed. */
function transient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/** `messages[3].to` → 3; a lone message's errors name its fields without an index. */
function rowIndexOf(field: string, chunkLength: number): number | undefined {
  const match = /^messages\[(\d+)\]/.exec(field);
  if (match) return Number(match[1]);
  return chunkLength === 1 ? 0 : undefined;
}

/** The rows of the chunk that the API refused by name, with its reasons; null if it named none. */
function refusalsOf(error: unknown, chunk: SendableRow[]): Map<number, string[]> | null {
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) return null;
  if (error.fieldErrors.length === 0) return null;
  const refusals = new Map<number, string[]>();
  for (const fieldError of error.fieldErrors) {
    const index = rowIndexOf(fieldError.field, chunk.length);
    if (index === undefined || index >= chunk.length) return null;
    const field = fieldError.field.replace(/^messages\[\d+\]\./, '');
    refusals.set(index, [...(refusals.get(index) ?? []), `${field}: ${fieldError.message}`]);
  }
  return refusals;
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

export async function sendInChunks(
  rows: SendableRow[],
  sendChunk: SendChunk,
  options: BulkSendOptions,
): Promise<BulkOutcome> {
  const size = Math.min(options.chunkSize ?? CHUNK_SIZE, MAX_BATCH_SIZE);
  const sleep = options.sleep ?? defaultSleep;
  const progress: BulkProgress = { accepted: 0, refused: [], total: rows.length };
  const chunks = chunksOf(rows, size);
  const report = () => options.onProgress?.({ ...progress, refused: [...progress.refused] });

  for (let chunkIndex = 0; chunkIndex < chunks.length; chunkIndex++) {
    let pending = chunks[chunkIndex];
    for (let revision = 0; pending.length > 0; revision++) {
      const key = `bulk-${options.runId}-${chunkIndex}-${revision}`;
      const messages = pending.map(({ to, body, scheduledAt }) =>
        scheduledAt ? { to, body, scheduledAt } : { to, body },
      );
      try {
        progress.accepted += await withRetries(() => sendChunk(messages, key), sleep);
        pending = [];
      } catch (error) {
        const refusals = refusalsOf(error, pending);
        if (!refusals) {
          return {
            ...progress,
            notSent: [...pending, ...chunks.slice(chunkIndex + 1).flat()],
            stoppedBy: error,
          };
        }
        for (const [index, reasons] of refusals) {
          progress.refused.push({ row: pending[index], reasons });
        }
        pending = pending.filter((_, index) => !refusals.has(index));
      }
      report();
    }
  }
  return { ...progress, notSent: [] };
}

/** The same request (same key) again after a lost answer or a 5xx, waiting longer each time. */
async function withRetries<T>(
  attempt: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      if (!transient(error) || failures >= RETRIES) throw error;
      const retryAfter = error instanceof ApiError ? error.retryAfterSeconds : undefined;
      await sleep(retryAfter ? retryAfter * 1000 : 1000 * 2 ** failures);
    }
  }
}
