import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/compiled';

describe('The web app’s API types', () => {
  it('match the OpenAPI document of the compiled API (npm run api:types)', () => {
    const check = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'api-types.js'), '--check'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
