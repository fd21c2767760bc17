import { ChildProcess, spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';
import { eventually } from './helpers/eventually';
import { freePort } from './helpers/free-port';
import { jsonLines, runLogging, stop, untilHealthy } from './helpers/logging-process';

/** Without colours, or the carriage returns a terminal adds to each line. */
const plain = (output: string) => stripVTControlCharacters(output).replace(/\r/g, '');
const READABLE_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG|TRACE|FATAL): /;

/**
 * A compiled process whose stdout is a terminal, as when a person runs `npm start` in a shell
 * (util-linux `script` gives it a pseudo-terminal).
 */
function runInTerminal(
  entry: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(
    'script',
    ['-qec', `exec "${process.execPath}" "${compiledEntry(entry)}"`, '/dev/null'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => plain(output) };
}

async function untilLogged(output: () => string, text: string): Promise<string> {
  return eventually(
    async () => output(),
    (seen) => seen.includes(text),
    30_000,
  );
}

describe('log format', () => {
  const processes: ChildProcess[] = [];
  afterAll(() => Promise.all(processes.map(stop)));

  it('writes readable lines when stdout is a terminal', async () => {
    const worker = runInTerminal('apps/worker/src/main.js', { LOG_FORMAT: 'auto' });
    processes.push(worker.child);
    const output = await untilLogged(worker.output, 'Worker started');
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toContainEqual(expect.stringMatching(/INFO: \[Worker\] Worker started$/));
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines.every((line) => READABLE_LINE.test(line))).toBe(true);
  });

  it('keeps JSON lines on a terminal when LOG_FORMAT is json', async () => {
    const worker = runInTerminal('apps/worker/src/main.js', { LOG_FORMAT: 'json' });
    processes.push(worker.child);
    const output = await untilLogged(worker.output, 'Worker started');
    expect(jsonLines(output).map((line) => line.msg)).toContain('Worker started');
    expect(output).not.toMatch(/INFO: \[Worker\]/);
  });

  it('writes readable lines into a pipe when LOG_FORMAT is pretty, a request as one line', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = runLogging('apps/api/src/main.js', {
      LOG_FORMAT: 'pretty',
      LOG_LEVEL: 'info',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
    });
    processes.push(api.child);
    await untilHealthy(base);
    const answer = await fetch(`${base}/`, {
      redirect: 'manual',
      headers: { 'x-request-id': 'readable-1' },
    });
    expect(answer.status).toBe(302);

    const output = await untilLogged(api.logs, 'readable-1');
    const lines = plain(output).split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /INFO: request completed GET \/ → 302 in \d+ ms \{"requestId":"readable-1"\}$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/INFO: \[NestApplication\] Nest application successfully started$/),
    );
    expect(jsonLines(output)).toEqual([]);
  });
});
