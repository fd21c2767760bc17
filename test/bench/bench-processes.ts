import { ChildProcess, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArrivalStats, FakeTwilioReady, FakeTwilioRequest } from './fake-twilio.child';

/** The repository root, from dist/test/bench. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
// The flags `npm start` runs the API and the worker with: the benchmark measures what users run.
const SERVER_NODE_FLAGS = require(join(REPO_ROOT, 'scripts', 'server-node-flags.js')) as string[];
const DIST = join(REPO_ROOT, 'dist');
const CHILD_HOOK = join(__dirname, 'child-hook.js');
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_CHARS = 4000;

/** Every process the runner started and has not seen exit: stopped on Ctrl-C and on errors. */
const live = new Set<ChildProcess>();

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child)));
}

/** Last resort on process exit: nothing the runner started may outlive it. */
export function killAllChildrenNow(): void {
  for (const child of live) if (!hasExited(child)) child.kill('SIGKILL');
}

export interface ServerProcessOptions {
  env: Record<string, string>;
  /** Set to collect CPU profiles (see child-hook.ts). */
  profileDir?: string;
}

/** The API or the worker, compiled, as a child process of the runner. */
export class ServerProcess {
  private output = '';
  private profileWritten?: (file: string | null) => void;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('message', (message: { benchProfileWritten?: string | null }) => {
      if (message.benchProfileWritten !== undefined)
        this.profileWritten?.(message.benchProfileWritten);
    });
  }

  static start(name: string, entry: string, options: ServerProcessOptions): ServerProcess {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    // The runner's own settings must not leak into the servers.
    for (const key of Object.keys(env)) if (key.startsWith('BENCH_')) delete env[key];
    Object.assign(env, options.env, { BENCH_PROCESS_NAME: name });
    if (options.profileDir) env.BENCH_PROFILE_DIR = options.profileDir;
    // An IPC channel for child-hook.ts (watchdog, profiler); the apps do not use it.
    const child = spawn(
      process.execPath,
      [...SERVER_NODE_FLAGS, '-r', CHILD_HOOK, join(DIST, entry)],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    return new ServerProcess(name, track(child));
  }

  get exited(): boolean {
    return hasExited(this.child);
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  /** What it printed last, for error messages. */
  get recentOutput(): string {
    return this.output;
  }

  /** Polls `ready` until it answers true; fails early if the process dies. */
  async waitUntil(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`${this.name} exited during start-up:\n${this.recentOutput}`);
      }
      if (await ready().catch(() => false)) return;
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.recentOutput}`);
  }

  /** Starts a CPU profile (only when started with a profileDir, see child-hook.ts). */
  startProfile(): void {
    if (!this.exited) this.child.send({ benchProfile: 'start' });
  }

  /** Stops the CPU profile; resolves with the file it was written to. */
  async stopProfile(): Promise<string | null> {
    if (this.exited) return null;
    const written = new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 15_000);
      this.profileWritten = (file) => {
        clearTimeout(timer);
        resolve(file);
      };
    });
    this.child.send({ benchProfile: 'stop' });
    return written;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** The fake Twilio in its own process, queried over IPC (see fake-twilio.child.ts). */
export class FakeTwilioProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly info: FakeTwilioReady,
  ) {
    child.on('message', (message: { id?: number; result?: unknown }) => {
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  static async start(): Promise<FakeTwilioProcess> {
    const child = track(
      fork(join(__dirname, 'fake-twilio.child.js'), [], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const info = await new Promise<FakeTwilioReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake Twilio did not start')), 10_000);
      child.once('message', (message: FakeTwilioReady) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`fake Twilio exited with ${code}`)));
    });
    return new FakeTwilioProcess(child, info);
  }

  private ask<T>(request: WithoutId<FakeTwilioRequest>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`fake Twilio did not answer ${request.op}`));
      }, 10_000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as T);
      });
      this.child.send({ ...request, id });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forgets everything received so far. */
  reset(): Promise<void> {
    return this.ask({ op: 'reset' });
  }

  stats(): Promise<ArrivalStats> {
    return this.ask({ op: 'stats' });
  }

  /** [body, receivedAt epoch ms] of every create whose body starts with `bodyPrefix`. */
  arrivals(bodyPrefix: string): Promise<Array<[string, number]>> {
    return this.ask({ op: 'arrivals', bodyPrefix });
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
