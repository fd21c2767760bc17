import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseNameOf, prepareDatabase } from '../../libs/core/src/database/prepare-database';
import {
  RUN_APPLICATION_NAME_PREFIX,
  TEST_DATABASE_URL,
  runDatabaseName,
  testDatabaseUrl,
} from './test-database';

/** What global teardown (same process) needs of global setup. */
export interface TestRunState {
  switchboardTestSetupDone?: boolean;
  /** Open for the whole run: other runs see it in pg_stat_activity and leave this run alone. */
  switchboardTestRunMarker?: Client;
}

/**
 * Once per `npm test`: compile the project (tests that run the worker or the CLI as real processes
 * use dist/) and create this run's test database with every migration applied.
 */
export default async function globalSetup(): Promise<void> {
  // The e2e and browser projects share this setup; jest calls it once per project, in one process.
  const state = globalThis as TestRunState;
  if (state.switchboardTestSetupDone) return;
  state.switchboardTestSetupDone = true;
  // Test workers inherit this: their Redis keys and databases carry the run id, so that
  // concurrent runs (two terminals, CI) never delete each other's.
  const runId = randomBytes(3).toString('hex');
  process.env.TEST_RUN_ID = runId;
  const root = join(__dirname, '..', '..');
  // TEST_SKIP_BUILD=1 reuses dist/ as it is (handy while iterating on one test file).
  if (process.env.TEST_SKIP_BUILD !== '1')
    execFileSync(process.execPath, [join(root, 'scripts', 'build.js')], {
      cwd: root,
      stdio: 'inherit',
    });

  const marker = new Client({
    connectionString: testDatabaseUrl('postgres'),
    application_name: `${RUN_APPLICATION_NAME_PREFIX}${runId}`,
  });
  await marker.connect();
  state.switchboardTestRunMarker = marker;
  await dropDatabasesOfEndedRuns(marker);
  await prepareDatabase(testDatabaseUrl(runDatabaseName(runId)));
}

/**
 * Databases of earlier runs that were interrupted before their teardown: those of every run
 * whose marker connection is gone. A run still going keeps its marker open, so it keeps its
 * databases.
 */
async function dropDatabasesOfEndedRuns(admin: Client): Promise<void> {
  const base = databaseNameOf(TEST_DATABASE_URL);
  const stale = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database
     WHERE datname ~ ('^' || $1 || '_[0-9a-f]{6}(_[0-9a-f]{6})?$')
       AND substring(datname FROM length($1) + 2 FOR 6) NOT IN (
         SELECT substring(application_name FROM length($2) + 1)
         FROM pg_stat_activity WHERE application_name LIKE $2 || '%')`,
    [base, RUN_APPLICATION_NAME_PREFIX],
  );
  for (const { datname } of stale.rows) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}
