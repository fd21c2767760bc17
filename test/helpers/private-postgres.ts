import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/** The newest PostgreSQL server installed (Debian's layout: /usr/lib/postgresql/<major>/bin). */
function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, majors[0], 'bin');
}

/** PostgreSQL refuses to run as root: then it runs as the postgres account. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/**
 * A throw-away PostgreSQL cluster of the test's own (initdb in a temporary directory, a free
 * port), for tests that stop and restart PostgreSQL without disturbing the shared one.
 */
export class PrivatePostgres {
  private process?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly account: { uid: number; gid: number } | undefined,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
    const account = serverAccount();
    if (account) chownSync(directory, account.uid, account.gid);
    execFileSync(
      join(binDirectory(), 'initdb'),
      ['-D', join(directory, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
      { stdio: 'ignore', ...account },
    );
    const postgres = new PrivatePostgres(await freePort(), directory, account);
    await postgres.start();
    return postgres;
  }

  /** A database URL on this cluster. */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(
      join(binDirectory(), 'postgres'),
      [
        '-D',
        join(this.directory, 'data'),
        '-p',
        String(this.port),
        '-k',
        this.directory,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...this.account },
    );
    this.process = child;
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk).slice(-4000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`PostgreSQL exited:\n${this.output}`);
      const client = new Client({ connectionString: this.url('postgres') });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A fast shutdown (SIGINT): every session is cut, as when an operator restarts PostgreSQL. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
