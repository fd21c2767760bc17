import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseNameOf } from '../../libs/core/src/database/prepare-database';
import { TEST_DATABASE_URL } from './test-database';

// Each test file gets its own database, copied from the migrated template that global setup
// made (CREATE DATABASE … TEMPLATE copies files: ~100 ms, no migrations). Shared data would let
// one file's worker and reconciler pick up another file's messages.
const template = databaseNameOf(TEST_DATABASE_URL);
const name = `${template}_${process.env.TEST_RUN_ID ?? 'adhoc'}_${randomBytes(3).toString('hex')}`;

function adminClient(): Client {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/postgres';
  return new Client({ connectionString: url.toString() });
}

beforeAll(async () => {
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
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
