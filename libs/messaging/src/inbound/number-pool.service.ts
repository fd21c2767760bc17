import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@app/core';
import {
  CONVERSATION_TARGET,
  NumberBinding,
  NumberBindingRepository,
} from './number-binding.repository';
import { DispatchError } from '../dispatch/sms-route';
import { Message } from '../model/message.entity';
import { LruMap } from './lru-map';

// How many (account, phone) → conversation number choices a process remembers. A conversation's
// binding never changes once made, so a remembered one stays right; the bound keeps memory flat
// whatever the number of recipients (a few MB at most).
const CONVERSATION_NUMBER_CACHE_SIZE = 50_000;

/** Why a message cannot go out from the number it asked for (or from any). */
export type SenderProblem = 'SENDER_NOT_AVAILABLE' | 'NUMBER_POOL_EXHAUSTED';

/** What dispatch needs to know of a message to pick, check or bind its sender. */
export type SenderOfMessage = Pick<
  Message,
  'accountId' | 'toNumber' | 'fromNumber' | 'senderFromBinding'
>;

/**
 * The pool of Twilio numbers (`TWILIO_PHONE_NUMBERS`) and the sticky choice of which one talks to
 * which phone for which account. The choice is stored as a number binding, unique per
 * (phone, pool number), so a reply to that number can only belong to one conversation. A number
 * is bound when a message is sent from it, never when one is merely accepted: a message that is
 * scheduled, then canceled or expired, holds nothing (see docs/architecture.md#outbound).
 */
@Injectable()
export class NumberPoolService {
  private readonly pool: string[];
  /** `${accountId}:${phone}` → the number of that account's conversation with that phone. */
  private readonly conversationNumbers = new LruMap<string, string>(CONVERSATION_NUMBER_CACHE_SIZE);

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

  /**
   * At accept: for each (recipient, requested sender) of one account, why it cannot be sent
   * (null: it can). A requested sender must be the number of the account's conversation with the
   * recipient or, while it has none, a number nobody holds for that recipient; without one, some
   * number must be free for it. Answered from memory when the conversation is known, else with
   * one query for all the others.
   */
  async checkSenders(
    accountId: string,
    requests: ReadonlyArray<{ to: string; from: string | null }>,
  ): Promise<Array<SenderProblem | null>> {
    const problems: Array<SenderProblem | null> = requests.map(() => null);
    const unknown: number[] = [];
    requests.forEach(({ to, from }, index) => {
      const number = this.conversationNumbers.get(`${accountId}:${to}`);
      if (number === undefined) unknown.push(index);
      else if (from !== null && from !== number) problems[index] = 'SENDER_NOT_AVAILABLE';
    });
    if (unknown.length === 0) return problems;

    const phones = [...new Set(unknown.map((index) => requests[index].to))];
    const byPhone = new Map<string, NumberBinding[]>();
    for (const binding of await this.bindings.findBoundTo(phones)) {
      const ofPhone = byPhone.get(binding.externalPhone);
      if (ofPhone) ofPhone.push(binding);
      else byPhone.set(binding.externalPhone, [binding]);
    }
    for (const index of unknown) {
      const { to, from } = requests[index];
      const ofPhone = byPhone.get(to) ?? [];
      const own = ofPhone.find(
        (binding) =>
          binding.accountId === accountId &&
          binding.targetType === CONVERSATION_TARGET &&
          this.pool.includes(binding.poolNumber),
      );
      if (own) {
        this.conversationNumbers.set(`${accountId}:${to}`, own.poolNumber);
        if (from !== null && from !== own.poolNumber) problems[index] = 'SENDER_NOT_AVAILABLE';
        continue;
      }
      const taken = new Set(ofPhone.map((binding) => binding.poolNumber));
      if (from !== null) {
        if (taken.has(from)) problems[index] = 'SENDER_NOT_AVAILABLE';
      } else if (this.pool.every((number) => taken.has(number))) {
        problems[index] = 'NUMBER_POOL_EXHAUSTED';
      }
    }
    return problems;
  }

  /**
   * At dispatch: the number a message goes out from through Twilio, bound to the account's
   * conversation with the recipient if it was not yet. Never a number bound to another account
   * for that recipient (their reply, their STOP would land there): SENDER_NOT_AVAILABLE instead,
   * e.g. when another account bound the number between accept and dispatch.
   */
  async senderOf(message: SenderOfMessage): Promise<string> {
    if (this.pool.length === 0) {
      throw new DispatchError(
        'NO_SENDER_NUMBER',
        'TWILIO_PHONE_NUMBERS is empty: there is no number to send from.',
        true,
      );
    }
    const { accountId, toNumber: recipient, fromNumber: from } = message;
    if (accountId === null) return from ?? systemSenderFor(recipient, this.pool);
    if (from === null) return this.conversationNumber(accountId, recipient);
    if (message.senderFromBinding) {
      // The account's own binding picked it (a group relay, a help answer); it may have been
      // freed since (a goodbye), but never given to someone else.
      const binding = await this.bindings.findByPair(recipient, from);
      if (binding && binding.accountId !== accountId) throw senderNotAvailable(recipient, from);
      return from;
    }
    await this.bindRequestedNumber(accountId, recipient, from);
    return from;
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

  /** The number of the account's conversation with `recipient`, bound now if it has none. */
  private async conversationNumber(accountId: string, recipient: string): Promise<string> {
    const cacheKey = `${accountId}:${recipient}`;
    const cached = this.conversationNumbers.get(cacheKey);
    if (cached !== undefined) return cached;
    // Two workers may bind the same pair at once; the unique constraints decide, we re-read.
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.bindings.findConversationNumber(accountId, recipient);
      if (existing && this.pool.includes(existing)) {
        this.conversationNumbers.set(cacheKey, existing);
        return existing;
      }
      const taken = await this.bindings.findNumbersBoundTo(recipient);
      const free = this.pool.filter((number) => !taken.has(number));
      if (free.length === 0) {
        throw new DispatchError(
          'NUMBER_POOL_EXHAUSTED',
          `Every pool number is already bound to ${recipient}; add numbers to TWILIO_PHONE_NUMBERS.`,
          true,
        );
      }
      if (await this.bindings.insertOnce(conversationBinding(accountId, recipient, free[0]))) {
        this.conversationNumbers.set(cacheKey, free[0]);
        return free[0];
      }
    }
    throw new DispatchError('NUMBER_BINDING_CONTENDED', 'Could not bind a sender number.', false);
  }

  /** Binds `number` to the account's conversation with `recipient`, unless it is already. */
  private async bindRequestedNumber(
    accountId: string,
    recipient: string,
    number: string,
  ): Promise<void> {
    const cacheKey = `${accountId}:${recipient}`;
    const cached = this.conversationNumbers.get(cacheKey);
    if (cached === number) return;
    if (cached === undefined) {
      if (await this.bindings.insertOnce(conversationBinding(accountId, recipient, number))) {
        this.conversationNumbers.set(cacheKey, number);
        return;
      }
      // Taken: by this conversation (fine), by another target, or the conversation has another.
      const binding = await this.bindings.findByPair(recipient, number);
      if (
        binding &&
        binding.accountId === accountId &&
        binding.targetType === CONVERSATION_TARGET
      ) {
        this.conversationNumbers.set(cacheKey, number);
        return;
      }
    }
    throw senderNotAvailable(recipient, number);
  }
}

function conversationBinding(
  accountId: string,
  recipient: string,
  number: string,
): Omit<NumberBinding, 'id'> {
  return {
    externalPhone: recipient,
    poolNumber: number,
    accountId,
    targetType: CONVERSATION_TARGET,
    targetId: null,
  };
}

function senderNotAvailable(recipient: string, number: string): DispatchError {
  return new DispatchError(
    'SENDER_NOT_AVAILABLE',
    `${number} is not this account's number for ${recipient}: it serves another conversation or group with that phone.`,
    true,
  );
}

/**
 * The number a system message (a sign-in code) goes out from: spread over the pool, so that a
 * burst of sign-ups does not queue behind one number's carrier rate, yet always the same one for
 * one recipient, who learns to recognise it.
 */
export function systemSenderFor(recipient: string, pool: readonly string[]): string {
  const digest = createHash('sha256').update(recipient).digest();
  return pool[digest.readUInt32BE(0) % pool.length];
}
