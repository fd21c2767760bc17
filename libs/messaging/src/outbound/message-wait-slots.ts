import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig, AppException, REDIS_CLIENT, RedisKeys, withinDeadline } from '@app/core';

// One sorted set per account; each waiting request is a member scored with the time its slot
// lapses by itself, so that the slots of a crashed API instance free themselves.
const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[3]))
return 1
`;

// A slot outlives its wait by this much, the time a release may take to reach Redis.
const LAPSE_MARGIN_MS = 10_000;
const REDIS_DEADLINE_MS = 2000;
// Waits end as soon as their message is sent: a slot is usually free again within a second.
const RETRY_AFTER_SECONDS = '1';

export interface WaitSlot {
  release(): void;
}

/**
 * Caps the `?wait` requests an account holds open at once, across every API instance: each one
 * keeps a connection, a timer and an event subscription alive for up to 30 s, cheap for the
 * caller and not for us.
 */
@Injectable()
export class MessageWaitSlots {
  private readonly logger = new Logger(MessageWaitSlots.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {}

  /** A slot for a wait of `waitMs`, or a 429 when the account already holds the most allowed. */
  async acquire(accountId: string, waitMs: number): Promise<WaitSlot> {
    const key = this.keys.key('waits', accountId);
    const member = randomBytes(8).toString('hex');
    const limit = this.config.get('MESSAGE_WAIT_MAX_PER_ACCOUNT');
    const now = Date.now();
    let granted: unknown;
    try {
      granted = await withinDeadline(
        this.redis.eval(ACQUIRE_SCRIPT, 1, key, now, limit, now + waitMs + LAPSE_MARGIN_MS, member),
        REDIS_DEADLINE_MS,
        'Counting the waiting requests',
      );
    } catch (error) {
      // The wait cannot hear about its message without Redis either; it ends at its timeout.
      this.logger.warn(`Waiting requests not counted: ${(error as Error).message}`);
      return { release: () => undefined };
    }
    if (Number(granted) !== 1) {
      throw new AppException(
        HttpStatus.TOO_MANY_REQUESTS,
        'TOO_MANY_WAITING_REQUESTS',
        `This account already has ${limit} requests waiting with ?wait; wait for one to end, or send without ?wait and follow the message's events.`,
        { headers: { 'Retry-After': RETRY_AFTER_SECONDS }, extensions: { limit } },
      );
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.redis.zrem(key, member).catch(() => undefined);
      },
    };
  }
}
