import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runDatabaseName, testDatabaseUrl } from './test-database';

// Each test file gets its own database, copied from the migrated template that global setup
// made for this run (CREATE DATABASE … TEMPLATE copies files: ~100 ms, no migrations). Shared
// data would let one file's worker and reconciler pick up another file's messages.
const template = runDatabaseName();
const name = `${template}_${randomBytes(3).toString('hex')}`;

function adminClient(): Client {
  return new Client({ connectionString: testDatabaseUrl('postgres') });
}

beforeAll(async () => {
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  process.env.DATABASE_URL = testDatabaseUrl(name);
});

afterAll(async () => {
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
});
