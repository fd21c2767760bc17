import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildPostgresOptions } from './typeorm-options';

// Arbitrary constant shared by every Switchboard process: only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 7_305_812_001;

function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
}

/** Creates the database named in the URL when it does not exist yet (a fresh PostgreSQL). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  const admin = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  } finally {
    await admin.end();
  }
}

export interface PrepareDatabaseResult {
  created: boolean;
  applied: string[];
}

/** Creates the database if needed and applies pending migrations, one process at a time. */
export async function prepareDatabase(databaseUrl: string): Promise<PrepareDatabaseResult> {
  const created = await ensureDatabaseExists(databaseUrl);
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const dataSource = new DataSource(buildPostgresOptions(databaseUrl, 2));
    await dataSource.initialize();
    try {
      const migrations = await dataSource.runMigrations({ transaction: 'each' });
      return { created, applied: migrations.map((migration) => migration.name) };
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
