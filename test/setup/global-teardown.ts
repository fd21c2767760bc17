import Redis from 'ioredis';
import { TEST_REDIS_PREFIX_ROOT, TEST_REDIS_URL } from './test-database';

/** Removes every Redis key this run wrote (all under its own prefix). */
export default async function globalTeardown(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${TEST_REDIS_PREFIX_ROOT}-${process.env.TEST_RUN_ID}-*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
