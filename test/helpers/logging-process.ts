import { ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT, compiledEntry } from './compiled';
import { eventually } from './eventually';

/** A compiled process with every log line it writes kept for inspection. */
export function runLogging(
  entry: string,
  env: Record<string, string>,
): { child: ChildProcess; logs: () => string } {
  let output = '';
  const child = spawn(process.execPath, [compiledEntry(entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'trace', ...env },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, logs: () => output };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The JSON lines of a process's output (anything else it printed is left out). */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resolves once the API at `base` answers its liveness probe (20 s at most). */
export async function untilHealthy(base: string): Promise<void> {
  await eventually(
    () =>
      fetch(`${base}/health`).then(
        (answer) => answer.status,
        () => 0,
      ),
    (status) => status === 200,
    20_000,
  );
}
