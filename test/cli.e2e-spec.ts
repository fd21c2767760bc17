import { spawnSync } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';
import { createTestApp } from './helpers/test-app';

function runCompiled(entry: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [compiledEntry(entry), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('compiled entry points', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('account:create prints an id and an API key that the API accepts', async () => {
    const result = runCompiled('apps/api/src/cli/create-account.js', ['--name', 'CLI Corp']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const key = result.stdout.match(/API key: (\S+)/)?.[1];
    const id = result.stdout.match(/id: +(\S+)/)?.[1];
    expect(key).toBeDefined();
    const me = await request(app.getHttpServer()).get('/api/v1/me').set('X-API-Key', key!);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id, name: 'CLI Corp' });
  });

  it('account:create without --name explains its usage', () => {
    const result = runCompiled('apps/api/src/cli/create-account.js', []);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--name');
  });

  it('api-key:create adds a working key to an existing account, and to no other', async () => {
    const created = runCompiled('apps/api/src/cli/create-account.js', ['--name', 'Rotating Corp']);
    const id = created.stdout.match(/id: +(\S+)/)![1];
    const result = runCompiled('apps/api/src/cli/create-api-key.js', [
      '--account',
      id,
      '--name',
      'second key',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const key = result.stdout.match(/API key: (\S+)/)?.[1];
    const me = await request(app.getHttpServer()).get('/api/v1/me').set('X-API-Key', key!);
    expect(me.body.id).toBe(id);

    const unknown = runCompiled('apps/api/src/cli/create-api-key.js', [
      '--account',
      '00000000-0000-4000-8000-000000000000',
      '--name',
      'x',
    ]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('No such account.\n');
    const usage = runCompiled('apps/api/src/cli/create-api-key.js', ['--name', 'x']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--account');
  });

  it.each(['apps/api/src/main.js', 'apps/worker/src/main.js'])(
    '%s stops with one line naming a bad variable',
    (entry) => {
      const result = runCompiled(entry, [], { PORT: 'not-a-port' });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^Invalid configuration: PORT .*not-a-port/),
      ]);
    },
  );
});
