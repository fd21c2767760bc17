import { databaseNameOf } from '../../libs/core/src/database/prepare-database';

/** The e2e suite's own database and Redis key space, never the ones `npm start` uses. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_REDIS_PREFIX_ROOT = 'sbtest';

/** What a run's connection to `postgres` calls itself while the run is alive (see global setup). */
export const RUN_APPLICATION_NAME_PREFIX = 'switchboard-test-run:';

/**
 * The databases of one `npm test` run: its migrated template (`<base>_<run>`) and each test
 * file's copy (`<base>_<run>_<random>`). Two runs at once (two terminals, CI beside a developer)
 * each have their own, so neither drops what the other is using.
 */
export function runDatabaseName(runId = process.env.TEST_RUN_ID ?? 'adhoc'): string {
  return `${databaseNameOf(TEST_DATABASE_URL)}_${runId}`;
}

/** TEST_DATABASE_URL with another database name. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
