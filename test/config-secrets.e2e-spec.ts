import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';

const ENTRIES = ['apps/api/src/main.js', 'apps/worker/src/main.js'];

function start(entry: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [compiledEntry(entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** What an operator who copied an example, or picked a short secret, meets at start-up. */
describe('the token secret at start-up', () => {
  const examples = [
    ['.env.example', 'dev-only-secret-change-me-in-production-0123456789'],
    ['docker-compose.yml', 'change-this-secret-before-going-live-0123456789'],
  ];

  it.each(ENTRIES)(
    '%s refuses a published example secret, in production and development',
    (entry) => {
      for (const [, secret] of examples) {
        for (const NODE_ENV of ['production', 'development']) {
          const result = start(entry, { NODE_ENV, AUTH_TOKEN_SECRET: secret });
          expect({ NODE_ENV, status: result.status }).toEqual({ NODE_ENV, status: 1 });
          expect(result.stderr).toMatch(/^Invalid configuration: AUTH_TOKEN_SECRET is an example/);
          expect(result.stderr).not.toContain(secret);
        }
      }
    },
  );

  it.each(ENTRIES)('%s refuses a secret under 32 bytes without printing it', (entry) => {
    const secret = 'short-but-secret-31-bytes-long!';
    expect(Buffer.byteLength(secret)).toBe(31);
    const result = start(entry, { NODE_ENV: 'production', AUTH_TOKEN_SECRET: secret });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/AUTH_TOKEN_SECRET must be at least 32 bytes/);
    expect(result.stderr).not.toContain(secret.slice(0, 8));
  });

  it('refuses to run in production without a secret', () => {
    const result = start(ENTRIES[0], { NODE_ENV: 'production', AUTH_TOKEN_SECRET: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/AUTH_TOKEN_SECRET must be set in production/);
  });

  it('never prints the value of a secret-bearing variable it refuses', () => {
    const result = start(ENTRIES[0], {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: 'a-perfectly-good-secret-of-forty-bytes-xx',
      DATABASE_URL: 'mysql://admin:hunter2-database-password@db.internal/switchboard',
      REDIS_URL: 'http://:hunter3-redis-password@redis.internal:6379',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL/);
    expect(result.stderr).toMatch(/REDIS_URL/);
    expect(result.stderr).not.toMatch(/hunter|perfectly-good/);
  });

  it('docker compose refuses to start without AUTH_TOKEN_SECRET, and publishes no default', () => {
    const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    const settings = compose.match(/^\s*AUTH_TOKEN_SECRET:.*$/gm) ?? [];
    expect(settings.length).toBeGreaterThanOrEqual(2);
    for (const setting of settings) {
      expect(setting.trim()).toMatch(/^AUTH_TOKEN_SECRET: \$\{AUTH_TOKEN_SECRET:\?[^}]+\}$/);
    }
    const envExample = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
    expect(envExample).toMatch(/^AUTH_TOKEN_SECRET=$/m);
  });
});
