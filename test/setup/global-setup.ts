import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseNameOf, prepareDatabase } from '../../libs/core/src/database/prepare-database';
import { TEST_DATABASE_URL } from './test-database';

/**
 * Once per `npm test`: compile the project (tests that run the worker or the CLI as real processes
 * use dist/) and create a fresh test database with every migration applied.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
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
}
