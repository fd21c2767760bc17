import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS_CLIENT, RedisKeys } from '@app/core';
import { RateLimitRule, encodeRules } from './rate-limit-windows';

// Checks every rule first and records the call in all of them only when none is full, so that a
// refused call costs nothing (a caller over the per-IP limit does not also eat a phone's quota).
// Sliding windows are sorted sets of call times; fixed windows are plain counters.
// Answers 0 when allowed, else the milliseconds until the fullest rule has room again.
const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local waitMs = 0
for i, key in ipairs(KEYS) do
  local kind = ARGV[i * 3]
  local limit = tonumber(ARGV[i * 3 + 1])
  local span = tonumber(ARGV[i * 3 + 2])
  if kind == 'sliding' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
    if redis.call('ZCARD', key) >= limit then
      local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      waitMs = math.max(waitMs, tonumber(oldest[2]) + span - now)
    end
  elseif tonumber(redis.call('GET', key) or '0') >= limit then
    waitMs = math.max(waitMs, span - now)
  end
end
if waitMs > 0 then return waitMs end
for i, key in ipairs(KEYS) do
  local kind = ARGV[i * 3]
  local span = tonumber(ARGV[i * 3 + 2])
  if kind == 'sliding' then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, span)
  else
    redis.call('INCR', key)
    redis.call('PEXPIRE', key, math.max(span - now, 1000))
  end
end
return 0
`;

const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end
return 0
`;

/** A call that was counted, so that it can be given back (see `release`). */
export interface RateLimitTicket {
  keys: string[];
  member: string;
}

export type RateLimitDecision =
  | { allowed: true; ticket: RateLimitTicket }
  | { allowed: false; retryAfterMs: number };

/**
 * Counters in Redis, so that every API instance enforces the same limits. Time comes from the
 * caller (the injected clock), which keeps windows consistent with the rest of the rules.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly redisKeys: RedisKeys,
  ) {}

  /** Counts one call against every rule, or none of them when one is full. */
  async consume(rules: RateLimitRule[], now: Date): Promise<RateLimitDecision> {
    const prefixed = rules.map((rule) => ({
      ...rule,
      key: this.redisKeys.key('limits', rule.key),
    }));
    const { keys, args } = encodeRules(prefixed);
    const member = `${now.getTime()}:${randomBytes(6).toString('hex')}`;
    const waitMs = Number(
      await this.redis.eval(
        CONSUME_SCRIPT,
        keys.length,
        ...keys,
        String(now.getTime()),
        member,
        ...args,
      ),
    );
    if (waitMs > 0) return { allowed: false, retryAfterMs: waitMs };
    const slidingKeys = prefixed.filter((rule) => rule.kind === 'sliding').map((rule) => rule.key);
    return { allowed: true, ticket: { keys: slidingKeys, member } };
  }

  /** Empties these windows (rule keys as given to `consume`), e.g. a phone's failures on success. */
  async reset(ruleKeys: string[]): Promise<void> {
    if (ruleKeys.length === 0) return;
    await this.redis.del(...ruleKeys.map((key) => this.redisKeys.key('limits', key)));
  }

  /** Takes back a counted call from the sliding windows, e.g. an attempt that turned out right. */
  async release(ticket: RateLimitTicket): Promise<void> {
    if (ticket.keys.length === 0) return;
    await this.redis.eval(RELEASE_SCRIPT, ticket.keys.length, ...ticket.keys, ticket.member);
  }
}
