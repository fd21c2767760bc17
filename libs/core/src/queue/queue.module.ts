import { BullModule } from '@nestjs/bullmq';
import { AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from '../redis/redis-options';

/** The BullMQ connection shared by producers (api) and consumers (worker). */
export const QueueRootModule = BullModule.forRootAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    // Workers block on Redis; BullMQ requires unlimited retries so a Redis restart is ridden out.
    connection: { ...redisOptionsFromUrl(config.get('REDIS_URL')), maxRetriesPerRequest: null },
    prefix: `${config.get('REDIS_PREFIX')}:bull`,
  }),
});
