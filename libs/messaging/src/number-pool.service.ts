import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/core';
import { DispatchError } from './routing/sms-route';

// Bindings of conversations never change once made, so a cached choice stays right; the TTL only
// bounds memory and picks up pool changes after a restart-free config reload.
const CACHE_TTL_MS = 60_000;

/**
 * The pool of Twilio numbers (`TWILIO_PHONE_NUMBERS`) and the sticky choice of which one talks to
 * which phone for which account. The choice is stored as a number binding, unique per
 * (phone, pool number), so a reply to that number can only belong to one conversation.
 */
@Injectable()
export class NumberPoolService {
  private readonly pool: string[];
  private readonly cache = new Map<string, { number: string; expiresAt: number }>();

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.pool = config.get('TWILIO_PHONE_NUMBERS');
  }

  get numbers(): readonly string[] {
    return this.pool;
  }

  isPoolNumber(phone: string): boolean {
    return this.pool.includes(phone);
  }

  /** The number that sends to `recipient` for `accountId` (system messages: any pool number). */
  async senderFor(accountId: string | null, recipient: string): Promise<string> {
    if (this.pool.length === 0) {
      throw new DispatchError(
        'NO_SENDER_NUMBER',
        'TWILIO_PHONE_NUMBERS is empty: there is no number to send from.',
        true,
      );
    }
    if (accountId === null) return this.pool[0];
    const cacheKey = `${accountId}:${recipient}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.number;
    const number = await this.bindConversation(accountId, recipient);
    this.cache.set(cacheKey, { number, expiresAt: Date.now() + CACHE_TTL_MS });
    return number;
  }

  private async bindConversation(accountId: string, recipient: string): Promise<string> {
    // Two workers may bind the same pair at once; the unique constraints decide, we re-read.
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing: Array<{ pool_number: string }> = await this.dataSource.query(
        `SELECT pool_number FROM number_bindings
         WHERE account_id = $1 AND external_phone = $2 AND target_type = 'conversation'`,
        [accountId, recipient],
      );
      if (existing[0] && this.pool.includes(existing[0].pool_number)) {
        return existing[0].pool_number;
      }
      const taken: Array<{ pool_number: string }> = await this.dataSource.query(
        'SELECT pool_number FROM number_bindings WHERE external_phone = $1',
        [recipient],
      );
      const takenNumbers = new Set(taken.map((row) => row.pool_number));
      const free = this.pool.filter((number) => !takenNumbers.has(number));
      if (free.length === 0) {
        throw new DispatchError(
          'NUMBER_POOL_EXHAUSTED',
          `Every pool number is already bound to ${recipient}; add numbers to TWILIO_PHONE_NUMBERS.`,
          true,
        );
      }
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO number_bindings (external_phone, pool_number, account_id, target_type)
         VALUES ($1, $2, $3, 'conversation') ON CONFLICT DO NOTHING RETURNING id`,
        [recipient, free[0], accountId],
      );
      if (inserted.length > 0) return free[0];
    }
    throw new DispatchError('NUMBER_BINDING_CONTENDED', 'Could not bind a sender number.', false);
  }
}
