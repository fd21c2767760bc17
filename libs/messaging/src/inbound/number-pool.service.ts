import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@app/core';
import {
  CONVERSATION_TARGET,
  NumberBinding,
  NumberBindingRepository,
} from './number-binding.repository';
import { DispatchError } from '../dispatch/sms-route';

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
    private readonly bindings: NumberBindingRepository,
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

  /**
   * Binds `target` a pool number not yet bound to its phone, in the caller's transaction; null
   * when every number is (unique constraints decide races: two targets of one person grabbing the
   * same number at once).
   */
  async bindFreeNumber(
    manager: EntityManager,
    target: { phone: string; accountId: string; targetType: string; targetId: string },
  ): Promise<string | null> {
    const taken = await this.bindings.findNumbersBoundTo(target.phone, manager);
    for (const number of this.pool.filter((candidate) => !taken.has(candidate))) {
      const bound = await this.bindings.insertOnce(
        {
          externalPhone: target.phone,
          poolNumber: number,
          accountId: target.accountId,
          targetType: target.targetType,
          targetId: target.targetId,
        },
        manager,
      );
      if (bound) return number;
    }
    return null;
  }

  /** Frees the number of a target; the binding it had, if any. */
  unbind(
    manager: EntityManager,
    targetType: string,
    targetId: string,
  ): Promise<NumberBinding | null> {
    return this.bindings.deleteOfTarget(manager, targetType, targetId);
  }

  bindingsOf(
    manager: EntityManager,
    targetType: string,
    targetIds: readonly string[],
  ): Promise<NumberBinding[]> {
    return this.bindings.findOfTargets(manager, targetType, targetIds);
  }

  private async bindConversation(accountId: string, recipient: string): Promise<string> {
    // Two workers may bind the same pair at once; the unique constraints decide, we re-read.
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.bindings.findConversationNumber(accountId, recipient);
      if (existing && this.pool.includes(existing)) return existing;
      const taken = await this.bindings.findNumbersBoundTo(recipient);
      const free = this.pool.filter((number) => !taken.has(number));
      if (free.length === 0) {
        throw new DispatchError(
          'NUMBER_POOL_EXHAUSTED',
          `Every pool number is already bound to ${recipient}; add numbers to TWILIO_PHONE_NUMBERS.`,
          true,
        );
      }
      const bound = await this.bindings.insertOnce({
        externalPhone: recipient,
        poolNumber: free[0],
        accountId,
        targetType: CONVERSATION_TARGET,
        targetId: null,
      });
      if (bound) return free[0];
    }
    throw new DispatchError('NUMBER_BINDING_CONTENDED', 'Could not bind a sender number.', false);
  }
}
