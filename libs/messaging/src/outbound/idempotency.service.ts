import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppException, UnprocessableAppException } from '@app/core';
import { HeldIdempotencyKey, IdempotencyKeyClaim } from '../model/message.repository';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentResult extends StoredResponse {
  /** True when this is the answer of an earlier request with the same key. */
  replayed: boolean;
}

/** The `Idempotency-Key` of one request, and the fingerprint of what it asks. */
export interface IdempotencyKey {
  accountId: string;
  key: string;
  requestHash: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
// Keys are kept 24 h (Stripe's window); after that the same key starts a new request.
const RETENTION_HOURS = 24;

/**
 * Where an answer stored with its messages says when they were created. The statement that
 * stores both cannot put its own now() in the JSON it is given; a replay puts the key's creation
 * time there, which that statement set to the same now(). An object, so that no string a client
 * sent can be mistaken for it.
 */
export const COMMIT_TIME = Object.freeze({ commitTime: true });

/** Raised where a request finds its key held; the transaction it is in rolls back. */
export class IdempotencyKeyHeld extends Error {
  constructor(readonly held: HeldIdempotencyKey) {
    super('Idempotency-Key already held');
  }
}

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

function withCommitTime(value: unknown, commitTime: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withCommitTime(item, commitTime));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'commitTime' && entries[0][1] === true) {
    return commitTime;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, withCommitTime(item, commitTime)]));
}

/**
 * `Idempotency-Key` semantics (Stripe, IETF draft): the same key and body replay the first
 * answer; the same key with another body is 422. Keys are per account. A key is written only by
 * the statement that commits its request's messages, with the answer (see
 * MessageRepository.insertManyClaimingKey): a request that failed before that left nothing, and
 * one that committed can always be replayed, even if its process died before answering. A
 * concurrent duplicate waits for the first one's commit and replays it.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key of a request, checked; `request` is what a retry must repeat to be replayed. */
  keyOf(accountId: string, key: string, request: unknown): IdempotencyKey {
    if (!KEY_PATTERN.test(key)) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1 to 255 printable ASCII characters.',
      );
    }
    return { accountId, key, requestHash: fingerprint(request) };
  }

  /**
   * The key of a request that carries its own id (see Message.externalId). A space, which no
   * Idempotency-Key header may hold, keeps the two kinds of keys apart.
   */
  keyOfExternalId(accountId: string, externalId: string, request: unknown): IdempotencyKey {
    return { accountId, key: `external-id ${externalId}`, requestHash: fingerprint(request) };
  }

  /** What the insert of the request's messages writes under its key. */
  claim(key: IdempotencyKey, answer: StoredResponse): IdempotencyKeyClaim {
    return {
      ...key,
      status: answer.status,
      body: JSON.stringify(answer.body),
      retentionHours: RETENTION_HOURS,
    };
  }

  /**
   * Runs `accept` (which inserts under the key) or replays what the key holds. Whatever made
   * `accept` fail (a key held by an earlier try, a refusal that would not have happened then, a
   * failure after the commit), a committed answer under this key is the answer.
   */
  async run(key: IdempotencyKey, accept: () => Promise<StoredResponse>): Promise<IdempotentResult> {
    try {
      return { ...(await accept()), replayed: false };
    } catch (error) {
      const held =
        error instanceof IdempotencyKeyHeld
          ? error.held
          : await this.findHeld(key).catch(() => null);
      if (!held) throw error;
      return { ...this.replay(key, held), replayed: true };
    }
  }

  /**
   * Replaces the answer stored at the commit by a later, better one (the outcome a `?wait`
   * request waited for). The stored one stays if this fails.
   */
  async improveAnswer(key: IdempotencyKey, answer: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET response_status = $4, response_body = $5
       WHERE account_id = $1 AND key = $2 AND request_hash = $3`,
      [key.accountId, key.key, key.requestHash, answer.status, JSON.stringify(answer.body)],
    );
  }

  private replay(key: IdempotencyKey, held: HeldIdempotencyKey): StoredResponse {
    if (held.requestHash !== key.requestHash) {
      throw new UnprocessableAppException(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body.',
      );
    }
    return { status: held.status, body: withCommitTime(held.body, held.createdAt.toISOString()) };
  }

  private async findHeld(key: IdempotencyKey): Promise<HeldIdempotencyKey | null> {
    const rows: Array<{
      request_hash: string;
      response_status: number;
      response_body: unknown;
      created_at: Date;
    }> = await this.dataSource.query(
      `SELECT request_hash, response_status, response_body, created_at FROM idempotency_keys
       WHERE account_id = $1 AND key = $2
         AND created_at >= now() - make_interval(hours => ${RETENTION_HOURS})`,
      [key.accountId, key.key],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      requestHash: row.request_hash,
      status: row.response_status,
      body: row.response_body,
      createdAt: row.created_at,
    };
  }

  /** Housekeeping for the reconciler: forget keys past their retention. */
  async deleteExpired(): Promise<number> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${RETENTION_HOURS})`,
    );
    return count as number;
  }
}
