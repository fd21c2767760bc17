import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, REDIS_CLIENT, RedisKeys } from '@app/core';
import { SendLaterError } from './sms-route';

// Reserves the next free send slot of a sender, shared by every worker through Redis. Returns the
// wait in ms; a negative value means "too far away, not reserved" (the job should be delayed).
const RESERVE_SLOT = `
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local slot = math.max(now, nextFree)
local wait = slot - now
if wait > maxWait then return -wait end
redis.call('SET', KEYS[1], slot + interval, 'PX', wait + interval + 1000)
return wait`;

// Waiting in-process holds a worker slot; beyond this, the job is delayed instead.
const MAX_IN_PROCESS_WAIT_MS = 1000;

/**
 * Per-sender pacing (Twilio long codes send 1 message/s): one slot per interval per number,
 * across every worker process.
 */
@Injectable()
export class SenderPacingService {
  private readonly intervalMs: number;

  constructor(
    config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    const rate = config.get('TWILIO_SEND_RATE_PER_NUMBER');
    this.intervalMs = rate > 0 ? Math.ceil(1000 / rate) : 0;
  }

  /** Resolves when `sender` may send; throws SendLaterError when its next slot is far away. */
  async waitForSlot(sender: string): Promise<void> {
    if (this.intervalMs === 0) return;
    const wait = (await this.redis.eval(
      RESERVE_SLOT,
      1,
      this.keys.key('pacing', sender),
      Date.now(),
      this.intervalMs,
      MAX_IN_PROCESS_WAIT_MS,
    )) as number;
    if (wait < 0) throw new SendLaterError(-wait);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
