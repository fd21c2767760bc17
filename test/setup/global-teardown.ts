import Redis from 'ioredis';
import type { TestRunState } from './global-setup';
import { TEST_REDIS_PREFIX_ROOT, TEST_REDIS_URL, runDatabaseName } from './test-database';

/** Removes every Redis key this run wrote (all under its own prefix), and its template database. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as TestRunState;
  const marker = state.switchboardTestRunMarker;
  // Jest calls teardown once per project that has it; the first call cleans up.
  if (!marker) return;
  state.switchboardTestRunMarker = undefined;
  try {
    await marker.query(`DROP DATABASE IF EXISTS "${runDatabaseName()}" WITH (FORCE)`);
  } finally {
    await marker.end();
  }
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
