import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS_CLIENT, RedisKeys } from '@app/core';

/**
 * Counts the moments a message may have left twice (a provider that may have accepted a failed
 * attempt, a phone that sent a message already taken from it), by cause. In Redis, because they
 * happen in the worker and in the API alike and the API's /metrics shows them (the worker serves
 * no HTTP), and because a restart must not reset what operators compare over time.
 */
@Injectable()
export class PossibleDuplicateSends {
  private readonly logger = new Logger(PossibleDuplicateSends.name);
  private readonly key: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    this.key = keys.key('metrics', 'possible-duplicate-sends');
  }

  /** Never fails its caller: the count is for operators, the message's fate does not hang on it. */
  record(cause: string): void {
    this.redis
      .hincrby(this.key, cause, 1)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, cause }, 'Could not count a possible duplicate send'),
      );
  }

  async countsByCause(): Promise<Record<string, number>> {
    const counts = await this.redis.hgetall(this.key);
    return Object.fromEntries(Object.entries(counts).map(([cause, count]) => [cause, +count]));
  }
}
