import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  TEST_REDIS_PREFIX_ROOT,
  TEST_REDIS_URL,
  runDatabaseName,
  testDatabaseUrl,
} from './test-database';

// Each test file gets its own Redis prefix (queues included), so files running in parallel never
// consume each other's jobs, and its own database (isolated-database.ts).
process.env.NODE_ENV = 'test';
// Until isolated-database.ts gives the file its own copy: this run's template.
process.env.DATABASE_URL = testDatabaseUrl(runDatabaseName());
process.env.REDIS_URL = TEST_REDIS_URL;
process.env.REDIS_PREFIX = `${TEST_REDIS_PREFIX_ROOT}-${process.env.TEST_RUN_ID ?? 'adhoc'}-${randomBytes(4).toString('hex')}`;
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
// Tests read the logs of the processes they start as JSON, whatever the terminal they run in.
process.env.LOG_FORMAT = 'json';
process.env.DATABASE_POOL_SIZE = '5';
// Whether someone built the web app in this checkout must not change what tests see: a test that
// serves it names its own directory.
process.env.WEB_DIST_DIR = join(__dirname, 'no-web-build');
for (const key of [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_PHONE_NUMBERS',
  'TWILIO_API_BASE_URL',
]) {
  delete process.env[key];
}
