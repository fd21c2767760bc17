import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseNameOf, prepareDatabase } from '../../libs/core/src/database/prepare-database';
import { TEST_DATABASE_URL } from './test-database';

/**
 * Once per `npm test`: compile the project (tests that run the worker or the CLI as real processes
 * use dist/) and create a fresh test database with every migration applied.
 */
export default async function globalSetup(): Promise<void> {
  // The e2e and browser projects share this setup; jest calls it once per project, in one process.
  const state = globalThis as { switchboardTestSetupDone?: boolean };
  if (state.switchboardTestSetupDone) return;
  state.switchboardTestSetupDone = true;
  // Test workers inherit this: their Redis keys carry the run id, so that concurrent runs (two
  // terminals, CI) never delete each other's keys in global teardown.
  process.env.TEST_RUN_ID = randomBytes(3).toString('hex');
  const root = join(__dirname, '..', '..');
  // TEST_SKIP_BUILD=1 reuses dist/ as it is (handy while iterating on one test file).
  if (process.env.TEST_SKIP_BUILD !== '1')
    execFileSync(process.execPath, [join(root, 'scripts', 'build.js')], {
      cwd: root,
      stdio: 'inherit',
    });

  const name = databaseNameOf(TEST_DATABASE_URL);
  const adminUrl = new URL(TEST_DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await prepareDatabase(TEST_DATABASE_URL);
  // Databases of earlier runs that were interrupted before their teardown.
  const cleaner = new Client({ connectionString: adminUrl.toString() });
  await cleaner.connect();
  try {
    const stale = await cleaner.query(
      `SELECT datname FROM pg_database WHERE datname ~ ('^' || $1 || '_[0-9a-f]{6}_[0-9a-f]{6}$')`,
      [name],
    );
    for (const row of stale.rows as Array<{ datname: string }>) {
      await cleaner.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }
  } finally {
    await cleaner.end();
  }
}
