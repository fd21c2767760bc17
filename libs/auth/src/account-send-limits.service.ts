import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppConfig, NotFoundAppException } from '@app/core';
import type { SendLimits } from '@app/messaging';
import { Account, AccountOrigin } from './account.entity';

/** What the operator sets for one account: a number, null for unlimited, undefined to keep. */
export interface SendLimitsChange {
  perMinute?: number | null;
  perDay?: number | null;
}

// Every send asks for its account's limits; a short cache keeps that off the database. It also
// bounds how long a change made by `account:limits` takes to reach a running API instance.
const LIMITS_CACHE_TTL_MS = 10_000;
const LIMITS_CACHE_MAX_ENTRIES = 50_000;

/**
 * The send limits of accounts: the operator's own for the account when set, else the defaults of
 * how the account came to be (operator accounts and sign-ups have their own, in the config).
 */
@Injectable()
export class AccountSendLimitsService {
  private readonly defaults: Record<AccountOrigin, SendLimits>;
  private readonly cache = new Map<string, { limits: Promise<SendLimits>; expiresAt: number }>();

  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    config: AppConfig,
  ) {
    this.defaults = {
      operator: {
        perMinute: config.get('OPERATOR_SEND_LIMIT_PER_MINUTE'),
        perDay: config.get('OPERATOR_SEND_LIMIT_PER_DAY'),
      },
      sign_up: {
        perMinute: config.get('SIGNUP_SEND_LIMIT_PER_MINUTE'),
        perDay: config.get('SIGNUP_SEND_LIMIT_PER_DAY'),
      },
    };
  }

  /** `manager`: read in the caller's transaction (see SendLimitsLookup). */
  limitsOf(accountId: string, manager?: EntityManager): Promise<SendLimits> {
    const now = Date.now();
    const cached = this.cache.get(accountId);
    if (cached && cached.expiresAt > now) return cached.limits;
    const limits = this.read(accountId, manager ?? this.accounts.manager);
    // Bounded by starting over, not LRU: a full cache is rare and refills in a moment.
    if (this.cache.size >= LIMITS_CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(accountId, { limits, expiresAt: now + LIMITS_CACHE_TTL_MS });
    limits.catch(() => this.cache.delete(accountId));
    return limits;
  }

  /** The operator's limits for one account (`account:limits`); `reset` returns it to defaults. */
  async set(accountId: string, change: SendLimitsChange | 'reset'): Promise<SendLimits> {
    const account = await this.accounts.findOneBy({ id: accountId });
    if (!account) throw new NotFoundAppException('ACCOUNT_NOT_FOUND', 'No such account.');
    if (change === 'reset') {
      await this.accounts.update(accountId, {
        sendLimitPerMinute: null,
        sendLimitPerDay: null,
        sendLimitsSetAt: null,
      });
    } else {
      const current = this.limitsOfRow(account);
      await this.accounts.update(accountId, {
        sendLimitPerMinute: change.perMinute === undefined ? current.perMinute : change.perMinute,
        sendLimitPerDay: change.perDay === undefined ? current.perDay : change.perDay,
        sendLimitsSetAt: new Date(),
      });
    }
    this.cache.delete(accountId);
    return this.limitsOf(accountId);
  }

  private async read(accountId: string, manager: EntityManager): Promise<SendLimits> {
    const account = await manager.findOne(Account, {
      where: { id: accountId },
      select: {
        id: true,
        origin: true,
        sendLimitPerMinute: true,
        sendLimitPerDay: true,
        sendLimitsSetAt: true,
      },
    });
    // An account that is gone sends nothing anyway; the cautious answer costs nothing.
    return account ? this.limitsOfRow(account) : this.defaults.sign_up;
  }

  private limitsOfRow(account: Account): SendLimits {
    if (!account.sendLimitsSetAt) return this.defaults[account.origin];
    return { perMinute: account.sendLimitPerMinute, perDay: account.sendLimitPerDay };
  }
}
