import { ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT, compiledEntry } from './compiled';
import { freePort } from './free-port';

export interface ApiProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
}

/**
 * The compiled API as a real child process, for tests that kill an instance (SIGKILL: no
 * shutdown hook runs, as in a crash). Resolves once /health answers.
 */
export async function spawnApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [compiledEntry('apps/api/src/main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), PUBLIC_BASE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${url}/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) return { child, url };
    if (Date.now() > deadline) {
      // A child left running would keep its pipes, and so jest, open after the run.
      child.kill('SIGKILL');
      throw new Error(`API did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
