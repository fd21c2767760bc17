import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { AppException, Clock, REDIS_CLIENT, RedisKeys } from '@app/core';

/** Segments an account may send per UTC minute and per UTC day; null = unlimited. */
export interface SendLimits {
  perMinute: number | null;
  perDay: number | null;
}

/**
 * Where an account's limits come from: the lib that owns accounts registers it. Inside a
 * transaction, `manager` is its connection: asking the pool for another one there can deadlock
 * when every connection is held by such a transaction.
 */
export type SendLimitsLookup = (accountId: string, manager?: EntityManager) => Promise<SendLimits>;

/** Segments counted against an account, to give back when the messages were not stored. */
export interface QuotaReservation {
  keys: [minute: string, day: string];
  segments: number;
}

/** An account's limits and what it sent today (null while it has no limit, so nothing counts). */
export interface SendQuotaStatus {
  limits: SendLimits;
  usage: { today: number | null; remainingToday: number | null; resetsAt: string };
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
// Counters outlive their window a little, so that a clock a few seconds behind on another API
// instance still finds the window it is counting in.
const COUNTER_GRACE_MS = MINUTE_MS;

// KEYS: this minute's and this day's counters. ARGV: segments; the limits per minute and per day
// (-1 = none); milliseconds left in the minute and in the day. Checks both windows, then counts
// in both or in neither. Answers 0 when allowed, else the milliseconds until both have room.
const RESERVE_SCRIPT = `
local segments = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local perDay = tonumber(ARGV[3])
local minuteLeftMs = tonumber(ARGV[4])
local dayLeftMs = tonumber(ARGV[5])
local waitMs = 0
if perMinute >= 0 and tonumber(redis.call('GET', KEYS[1]) or '0') + segments > perMinute then
  waitMs = minuteLeftMs
end
if perDay >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') + segments > perDay then
  waitMs = math.max(waitMs, dayLeftMs)
end
if waitMs > 0 then return waitMs end
redis.call('INCRBY', KEYS[1], segments)
redis.call('PEXPIRE', KEYS[1], minuteLeftMs + ${COUNTER_GRACE_MS})
redis.call('INCRBY', KEYS[2], segments)
redis.call('PEXPIRE', KEYS[2], dayLeftMs + ${COUNTER_GRACE_MS})
return 0
`;

// A window that ended meanwhile is not given anything back (its counter would live on, negative).
const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECRBY', key, ARGV[1]) end
end
return 0
`;

interface QuotaCommands {
  sendQuotaReserve(
    minuteKey: string,
    dayKey: string,
    ...args: Array<string | number>
  ): Promise<number>;
  sendQuotaRelease(minuteKey: string, dayKey: string, segments: number): Promise<number>;
}

/** Retry-After is whole seconds; round up so that a client that waits that long gets through. */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Sending quotas per account, counted in segments (what carriers bill) in fixed windows: the UTC
 * minute and the UTC calendar day. The counters live in Redis, so every API instance enforces
 * the same quota, and one script checks and counts both windows at once, so concurrent requests
 * cannot overshoot. An account without limits costs nothing: no Redis round trip at all.
 */
@Injectable()
export class SendQuota {
  private readonly redis: Redis & QuotaCommands;
  private lookup?: SendLimitsLookup;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly redisKeys: RedisKeys,
    private readonly clock: Clock,
  ) {
    redis.defineCommand('sendQuotaReserve', { numberOfKeys: 2, lua: RESERVE_SCRIPT });
    redis.defineCommand('sendQuotaRelease', { numberOfKeys: 2, lua: RELEASE_SCRIPT });
    this.redis = redis as Redis & QuotaCommands;
  }

  /** Called once by the lib that owns accounts (messaging cannot read them itself). */
  useLimitsOf(lookup: SendLimitsLookup): void {
    this.lookup = lookup;
  }

  limitsOf(accountId: string, manager?: EntityManager): Promise<SendLimits> {
    if (!this.lookup) throw new Error('No SendLimitsLookup registered with SendQuota');
    return this.lookup(accountId, manager);
  }

  /**
   * Counts `segments` against the account, or refuses them all: 429 SEND_QUOTA_EXCEEDED with
   * Retry-After. Null when the account is unlimited (nothing to give back). `manager`: the
   * transaction the caller is in, if any.
   */
  async reserve(
    accountId: string,
    segments: number,
    manager?: EntityManager,
  ): Promise<QuotaReservation | null> {
    const limits = await this.limitsOf(accountId, manager);
    if (limits.perMinute === null && limits.perDay === null) return null;
    this.refuseWhatNeverFits(limits, segments);
    this.refuseWhileRedisIsDown();
    const now = this.clock.now().getTime();
    const window = this.windowsAt(accountId, now);
    const waitMs = Number(
      await this.redis.sendQuotaReserve(
        window.minuteKey,
        window.dayKey,
        segments,
        limits.perMinute ?? -1,
        limits.perDay ?? -1,
        window.minuteEndsAtMs - now,
        window.dayEndsAtMs - now,
      ),
    );
    if (waitMs > 0) {
      const seconds = wholeSeconds(waitMs);
      throw new AppException(
        HttpStatus.TOO_MANY_REQUESTS,
        'SEND_QUOTA_EXCEEDED',
        `Sending ${segments} more segment(s) would exceed this account's sending limits; retry in ${seconds} s.`,
        {
          headers: { 'Retry-After': String(seconds) },
          extensions: { retryAfter: seconds, limits },
        },
      );
    }
    return { keys: [window.minuteKey, window.dayKey], segments };
  }

  /** Gives reserved segments back, e.g. when storing the messages failed. */
  async release(reservation: QuotaReservation | null): Promise<void> {
    if (!reservation) return;
    await this.redis.sendQuotaRelease(...reservation.keys, reservation.segments);
  }

  async status(accountId: string): Promise<SendQuotaStatus> {
    const limits = await this.limitsOf(accountId);
    const now = this.clock.now().getTime();
    const window = this.windowsAt(accountId, now);
    const resetsAt = new Date(window.dayEndsAtMs).toISOString();
    if (limits.perMinute === null && limits.perDay === null) {
      return { limits, usage: { today: null, remainingToday: null, resetsAt } };
    }
    const today = Number((await this.redis.get(window.dayKey)) ?? 0);
    const remainingToday = limits.perDay === null ? null : Math.max(0, limits.perDay - today);
    return { limits, usage: { today, remainingToday, resetsAt } };
  }

  private windowsAt(accountId: string, now: number) {
    const minute = Math.floor(now / MINUTE_MS);
    const day = Math.floor(now / DAY_MS);
    return {
      minuteKey: this.redisKeys.key('send-quota', accountId, 'minute', String(minute)),
      dayKey: this.redisKeys.key('send-quota', accountId, 'day', String(day)),
      minuteEndsAtMs: (minute + 1) * MINUTE_MS,
      dayEndsAtMs: (day + 1) * DAY_MS,
    };
  }

  /** A request larger than a whole window would be refused forever: no Retry-After for it. */
  private refuseWhatNeverFits(limits: SendLimits, segments: number): void {
    const window =
      limits.perMinute !== null && segments > limits.perMinute
        ? { name: 'minute', limit: limits.perMinute }
        : limits.perDay !== null && segments > limits.perDay
          ? { name: 'day', limit: limits.perDay }
          : null;
    if (!window) return;
    throw new AppException(
      HttpStatus.TOO_MANY_REQUESTS,
      'SEND_QUOTA_EXCEEDED',
      `This request needs ${segments} segment(s); this account may send ${window.limit} per ${window.name}. Send fewer at once.`,
      { extensions: { limits } },
    );
  }

  /**
   * Without Redis nothing can be counted, and an account with limits is one that must not send
   * uncounted: refused at once (503) rather than held until Redis answers.
   */
  private refuseWhileRedisIsDown(): void {
    if (this.redis.status === 'ready') return;
    throw new AppException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'SEND_QUOTA_UNAVAILABLE',
      "This account's sending limits cannot be checked right now; retry shortly.",
      { headers: { 'Retry-After': '5' } },
    );
  }
}
