import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppException, UnprocessableAppException } from '@app/core';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentResult extends StoredResponse {
  /** True when this is the answer of an earlier request with the same key. */
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
// Keys are kept 24 h (Stripe's window); after that the same key starts a new request.
const RETENTION_HOURS = 24;
// A request that has held its key this long is presumed dead (its process crashed).
const ABANDONED_AFTER_SECONDS = 60;

/** Stable hash of a request body: key order does not matter. */
export function fingerprint(value: unknown): string {
  const canonical = (input: unknown): unknown => {
    if (Array.isArray(input)) return input.map(canonical);
    if (input && typeof input === 'object') {
      return Object.fromEntries(
        Object.keys(input as object)
          .sort()
          .map((key) => [key, canonical((input as Record<string, unknown>)[key])]),
      );
    }
    return input;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/**
 * `Idempotency-Key` semantics (Stripe, IETF draft): the same key and body replays the first
 * answer; the same key with another body is 422; a duplicate while the first is still running
 * is 409. Keys are per account.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run(
    accountId: string,
    key: string,
    request: unknown,
    handler: () => Promise<StoredResponse>,
  ): Promise<IdempotentResult> {
    if (!KEY_PATTERN.test(key)) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1 to 255 printable ASCII characters.',
      );
    }
    const requestHash = fingerprint(request);
    const replay = await this.claim(accountId, key, requestHash);
    if (replay) return { ...replay, replayed: true };

    let response: StoredResponse;
    try {
      response = await handler();
    } catch (error) {
      // Nothing was committed under this key: let the client try again with it.
      await this.dataSource.query(
        'DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2',
        [accountId, key],
      );
      throw error;
    }
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4
       WHERE account_id = $1 AND key = $2`,
      [accountId, key, response.status, JSON.stringify(response.body)],
    );
    return { ...response, replayed: false };
  }

  /** Takes the key for this request, or returns the stored answer to replay. */
  private async claim(
    accountId: string,
    key: string,
    requestHash: string,
  ): Promise<StoredResponse | null> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (account_id, key, request_hash, state)
       VALUES ($1, $2, $3, 'in_progress') ON CONFLICT DO NOTHING RETURNING key`,
      [accountId, key, requestHash],
    );
    if (inserted.length > 0) return null;

    // Expired keys and abandoned claims are taken over by this request, atomically.
    const [takenOver] = await this.dataSource.query(
      `UPDATE idempotency_keys
       SET request_hash = $3, state = 'in_progress', locked_at = now(), created_at = now(),
           response_status = NULL, response_body = NULL
       WHERE account_id = $1 AND key = $2
         AND (created_at < now() - make_interval(hours => ${RETENTION_HOURS})
              OR (state = 'in_progress' AND request_hash = $3
                  AND locked_at < now() - make_interval(secs => ${ABANDONED_AFTER_SECONDS})))
       RETURNING key`,
      [accountId, key, requestHash],
    );
    if (takenOver.length > 0) return null;

    const rows: Array<{
      request_hash: string;
      state: string;
      response_status: number | null;
      response_body: unknown;
    }> = await this.dataSource.query(
      'SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE account_id = $1 AND key = $2',
      [accountId, key],
    );
    const existing = rows[0];
    if (!existing) return this.claim(accountId, key, requestHash); // deleted meanwhile: try again
    if (existing.request_hash !== requestHash) {
      throw new UnprocessableAppException(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body.',
      );
    }
    if (existing.state !== 'done') {
      throw new AppException(
        HttpStatus.CONFLICT,
        'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        { headers: { 'Retry-After': '1' } },
      );
    }
    return { status: existing.response_status ?? 200, body: existing.response_body };
  }

  /** Housekeeping for the reconciler: forget keys past their retention. */
  async deleteExpired(): Promise<number> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${RETENTION_HOURS})`,
    );
    return count as number;
  }
}
