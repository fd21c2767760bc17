import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus';
import { redisOptionsFromUrl } from './redis-options';
import { REDIS_CLIENT, RedisKeys } from './redis-keys';

/** One warning per outage rather than one per reconnect attempt; ioredis reconnects by itself. */
function reportConnectionErrors(client: Redis): void {
  const logger = new Logger('Redis');
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.warn(`Redis connection error: ${error.message}; reconnecting`);
  });
  client.on('ready', () => {
    if (reported) logger.log('Redis connection restored');
    reported = false;
  });
}

@Injectable()
class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** BullMQ silently loses jobs when Redis evicts keys under memory pressure: say so loudly. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        this.logger.warn(
          `Redis maxmemory-policy is "${policy}", not "noeviction": under memory pressure Redis will evict queue jobs. Set maxmemory-policy noeviction.`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `Could not read Redis maxmemory-policy (${(error as Error).message}); make sure it is "noeviction".`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const client = new Redis({
          ...redisOptionsFromUrl(config.get('REDIS_URL')),
          maxRetriesPerRequest: 3,
        });
        reportConnectionErrors(client);
        return client;
      },
    },
    RedisKeys,
    RedisLifecycle,
    EventBus,
  ],
  exports: [REDIS_CLIENT, RedisKeys, EventBus],
})
export class RedisModule {}
