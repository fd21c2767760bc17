import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from './helpers/compiled';
import { eventually } from './helpers/eventually';
import { freePort } from './helpers/free-port';
import { jsonLines } from './helpers/logging-process';

const BANNER = 'Switchboard is ready';
const EXPECTED_LINES = [BANNER, 'Worker started', 'Nest application successfully started'];
const STARTED_WITHIN_MS = 120_000;

interface Started {
  /** npm, or start.js itself; the leader of a process group of its own. */
  leader: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<void>;
}

/**
 * `npm start` (or `node scripts/start.js`) as a person runs it, on a free port, in this test
 * file's database and Redis prefix: build, migrate, API and worker. Resolves once it printed its
 * banner.
 */
async function start(command: 'npm' | 'start.js'): Promise<Started> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'info',
    // As a person runs it: development, no secret of their own.
    NODE_ENV: 'development',
  };
  delete env.PUBLIC_BASE_URL;
  delete env.AUTH_TOKEN_SECRET;
  const [file, args] =
    command === 'npm'
      ? ['npm', ['start']]
      : [process.execPath, [join(REPO_ROOT, 'scripts', 'start.js')]];
  const leader = spawn(file, args, {
    cwd: REPO_ROOT,
    env,
    // A process group of its own, so that endGroup can end whatever a failed test left running.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  leader.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  leader.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => leader.once('exit', () => resolve()));
  // The children's lines can reach the output after the banner (each process writes when it
  // can): wait for the ones the tests read too.
  const allThere = (seen: string) => EXPECTED_LINES.every((line) => seen.includes(line));
  await eventually(
    async () => output,
    (seen) => allThere(seen) || leader.exitCode !== null,
    STARTED_WITHIN_MS,
    200,
  );
  if (!allThere(output)) {
    endGroup(leader);
    throw new Error(`${command} did not get ready:\n${output}`);
  }
  return { leader, port, output: () => output, exited };
}

/** The pids of start.js (it prints the banner), the API and the worker, from their log lines. */
function pidsOf(output: string): { starter: number; api: number; worker: number } {
  const lines = jsonLines(output);
  const pidOf = (accept: (line: Record<string, unknown>) => boolean) =>
    lines.find(accept)?.pid as number;
  return {
    starter: pidOf((line) => String(line.msg).startsWith(BANNER)),
    api: pidOf((line) => line.context === 'NestApplication'),
    worker: pidOf((line) => line.msg === 'Worker started'),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // Exited, but its new parent has not collected its exit status yet: a zombie runs nothing.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Ends whatever is left of a start (its process group), e.g. after a failed test. */
function endGroup(leader: ChildProcess | undefined): void {
  if (!leader) return;
  try {
    process.kill(-leader.pid!, 'SIGKILL');
  } catch {
    // Nothing left in the group: what a passing test leaves.
  }
}

describe('npm start', () => {
  let started: Started | undefined;

  beforeAll(async () => {
    started = await start('npm');
  }, STARTED_WITHIN_MS + 10_000);
  afterAll(() => endGroup(started?.leader));

  it('prints one banner, once the API and the worker both serve, with URLs that answer', async () => {
    const { port, output } = started!;
    const lines = jsonLines(output());
    const banners = lines.filter((line) => String(line.msg).startsWith(BANNER));
    expect(banners).toHaveLength(1);
    const [banner] = banners;
    expect(banner).toMatchObject({
      level: 30,
      apiUrl: `http://localhost:${port}/api/v1`,
      docsUrl: `http://localhost:${port}/docs`,
    });
    expect(banner.msg).toBe(
      `Switchboard is ready: web app http://localhost:${port}, API http://localhost:${port}/api/v1,` +
        ` docs http://localhost:${port}/docs — next: open the web app and sign up with your phone` +
        ' (the code is printed here), or npm run account:create -- --name "Acme" for an API key',
    );
    // Each process writes its lines when it can, so their order in the output proves nothing;
    // the time of each line is when it was logged.
    const timeOf = (accept: (line: Record<string, unknown>) => boolean) =>
      lines.find(accept)?.time as number;
    expect(timeOf((line) => line.msg === 'Worker started')).toBeLessThanOrEqual(
      banner.time as number,
    );
    expect(
      timeOf((line) => line.msg === 'Nest application successfully started'),
    ).toBeLessThanOrEqual(banner.time as number);

    const docs = await fetch(banner.docsUrl as string);
    expect(docs.status).toBe(200);
    const me = await fetch(`${banner.apiUrl as string}/me`);
    expect(me.status).toBe(401);
  });

  it('gives the API and the worker one made-up secret: a sign-in code is sent, not unreadable', async () => {
    const { port } = started!;
    const phone = '+14155550142';
    const asked = await fetch(`http://localhost:${port}/api/v1/auth/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone }),
    });
    expect(asked.status).toBe(202);
    const database = new Client({ connectionString: process.env.DATABASE_URL });
    await database.connect();
    try {
      const outcome = await eventually(
        async () =>
          (
            await database.query(
              `SELECT status, error_code AS "errorCode" FROM messages WHERE to_number = $1`,
              [phone],
            )
          ).rows as Array<{ status: string; errorCode: string | null }>,
        (rows) => rows.length === 1 && rows[0].status !== 'queued' && rows[0].status !== 'sending',
        30_000,
      );
      expect(outcome).toEqual([{ status: 'sent', errorCode: null }]);
    } finally {
      await database.end();
    }
  });

  it('stops the API and the worker on SIGTERM to npm, leaving nothing running', async () => {
    const { leader, port, output, exited } = started!;
    const pids = pidsOf(output());
    expect(Object.values(pids).every((pid) => typeof pid === 'number')).toBe(true);
    expect(Object.values(pids).map(isRunning)).toEqual([true, true, true]);

    leader.kill('SIGTERM');
    await exited;

    expect({
      starter: isRunning(pids.starter),
      api: isRunning(pids.api),
      worker: isRunning(pids.worker),
    }).toEqual({ starter: false, api: false, worker: false });
    expect(await acceptsConnections(port)).toBe(false);
  });
});

describe('scripts/start.js killed with SIGKILL', () => {
  let started: Started | undefined;
  afterAll(() => endGroup(started?.leader));

  it(
    'leaves no API or worker behind: they stop by themselves',
    async () => {
      started = await start('start.js');
      const pids = pidsOf(started.output());
      expect([pids.api, pids.worker].map(isRunning)).toEqual([true, true]);

      started.leader.kill('SIGKILL');
      await started.exited;

      const running = await eventually(
        async () => [pids.api, pids.worker].map(isRunning),
        (states) => states.every((state) => !state),
        30_000,
      );
      expect(running).toEqual([false, false]);
      expect(await acceptsConnections(started.port)).toBe(false);
    },
    STARTED_WITHIN_MS + 40_000,
  );
});
