import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { AppConfig, redisOptionsFromUrl, withinDeadline } from '@app/core';

const PING_TIMEOUT_MS = 1000;

/**
 * Its own connection, without an offline queue: while Redis is down a ping fails at once instead
 * of waiting for a reconnect, and ioredis keeps reconnecting so readiness recovers by itself.
 */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    config: AppConfig,
    private readonly indicator: HealthIndicatorService,
  ) {
    this.client = new Redis({
      ...redisOptionsFromUrl(config.get('REDIS_URL')),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors are reported through the readiness answer, not as unhandled events.
    this.client.on('error', () => undefined);
  }

  async check(key: string) {
    const indicator = this.indicator.check(key);
    try {
      await withinDeadline(this.client.ping(), PING_TIMEOUT_MS, 'PING');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
