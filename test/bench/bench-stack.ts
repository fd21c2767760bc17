import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client, Pool as PgPool } from 'pg';
import { request } from 'undici';
import {
  DEFAULT_WORKER_CONCURRENCY,
  QueueName,
  databaseNameOf,
  prepareDatabase,
  redisOptionsFromUrl,
} from '@app/core';
import { freePort } from '../helpers/free-port';
import { FakeTwilioProcess, REPO_ROOT, ServerProcess, stopAllChildren } from './bench-processes';
import { MachineInfo, describeMachine } from './bench-report';
import { CpuMeter, CpuUse } from './cpu-meter';
import { REFERENCE_QUEUE } from './reference-queue';

export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BENCH_REDIS_PREFIX = process.env.BENCH_REDIS_PREFIX ?? 'switchboard-bench';
/** Switchboard's default unless set; the yardstick's worker runs as many jobs at once. */
export const BENCH_WORKER_CONCURRENCY =
  process.env.BENCH_WORKER_CONCURRENCY ?? String(DEFAULT_WORKER_CONCURRENCY);
const POOL_NUMBERS = Array.from({ length: 10 }, (_, i) => `+1201555${String(100 + i)}0`);

/** Polls `probe` until `done` (bounded by `timeoutMs`, and by `signal`). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  signal: AbortSignal,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (signal.aborted) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
    value = await probe();
  }
  return value;
}

/**
 * The system under test, as the benchmark runs it: its own database and Redis prefix, an account
 * with an API key, the fake Twilio, the API and (on demand) the worker as child processes. It
 * measures the CPU time of each part per phase, and profiles the servers with --profile.
 */
export class BenchStack {
  readonly db = new PgPool({ connectionString: BENCH_DATABASE_URL, max: 2 });
  private readonly redis = new Redis(redisOptionsFromUrl(REDIS_URL));
  private readonly queue = new Queue(QueueName.MessageDispatch, {
    connection: redisOptionsFromUrl(REDIS_URL),
    prefix: `${BENCH_REDIS_PREFIX}:bull`,
  });
  private api?: ServerProcess;
  private worker?: ServerProcess;
  private fakeProcess?: FakeTwilioProcess;
  private reference?: ServerProcess;
  private referenceWorker?: ServerProcess;
  private readonly referenceQueue = new Queue(REFERENCE_QUEUE, {
    connection: redisOptionsFromUrl(REDIS_URL),
    prefix: `${BENCH_REDIS_PREFIX}:bull`,
  });
  private env: Record<string, string> = {};
  apiUrl = '';
  apiKey = '';
  private profiling?: Set<ServerProcess>;
  private readonly cpuMeter = new CpuMeter(databaseNameOf(BENCH_DATABASE_URL), () => ({
    api: this.api?.pid,
    worker: this.worker?.pid,
    'fake Twilio': this.fakeProcess?.pid,
    yardstick: this.reference?.pid,
    'yardstick worker': this.referenceWorker?.pid,
  }));

  constructor(
    readonly signal: AbortSignal,
    private readonly profileDir?: string,
  ) {}

  get fake(): FakeTwilioProcess {
    if (!this.fakeProcess) throw new Error('the stack is not started');
    return this.fakeProcess;
  }

  /** The environment of the API and the worker. */
  get serverEnv(): Readonly<Record<string, string>> {
    return this.env;
  }

  async start(): Promise<void> {
    await recreateDatabase();
    await this.deleteRedisKeys();
    this.apiKey = await createAccount();
    this.fakeProcess = await FakeTwilioProcess.start();
    const port = await freePort();
    this.apiUrl = `http://127.0.0.1:${port}`;
    this.env = {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: BENCH_DATABASE_URL,
      REDIS_URL,
      REDIS_PREFIX: BENCH_REDIS_PREFIX,
      PORT: String(port),
      PUBLIC_BASE_URL: this.apiUrl,
      TWILIO_ACCOUNT_SID: this.fake.info.accountSid,
      TWILIO_AUTH_TOKEN: this.fake.info.authToken,
      TWILIO_API_BASE_URL: this.fake.info.baseUrl,
      TWILIO_PHONE_NUMBERS: POOL_NUMBERS.join(','),
      TWILIO_SEND_RATE_PER_NUMBER: '0',
      WORKER_CONCURRENCY: BENCH_WORKER_CONCURRENCY,
      // The device benchmark's phones send as fast as they can (no send cap that binds).
      DEVICE_FRAMES_PER_SECOND: '1000000',
      DEVICE_FRAME_BURST: '1000000',
      LOG_LEVEL: 'warn',
      // The webhook benchmark's receiver listens on loopback over plain HTTP.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    const api = ServerProcess.start('api', 'apps/api/src/main.js', {
      env: this.env,
      profileDir: this.profileDir,
    });
    this.api = api;
    await api.waitUntil(async () => {
      const response = await request(`${this.apiUrl}/health/ready`);
      await response.body.dump();
      return response.statusCode === 200;
    }, 30_000);
  }

  /** Stops every process it started; the database stays for inspection until the next run. */
  async stop(): Promise<void> {
    await stopAllChildren();
    await this.deleteRedisKeys().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    await this.referenceQueue.close().catch(() => undefined);
    this.redis.disconnect();
    await this.db.end().catch(() => undefined);
  }

  async machine(): Promise<MachineInfo> {
    const { rows } = await this.db.query('SHOW server_version');
    const postgres = (rows[0] as { server_version: string }).server_version;
    const info = await this.redis.info('server');
    return describeMachine(postgres, /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown');
  }

  /** Bounded: at most 10,000 SCAN rounds. */
  private async deleteRedisKeys(): Promise<void> {
    let cursor = '0';
    for (let round = 0; round < 10_000; round++) {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${BENCH_REDIS_PREFIX}:*`,
        'COUNT',
        1000,
      );
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') return;
    }
  }

  /** Starts the worker if needed; resolves once it consumes the dispatch queue. */
  async startWorker(): Promise<ServerProcess> {
    if (this.worker && !this.worker.exited) return this.worker;
    const worker = ServerProcess.start('worker', 'apps/worker/src/main.js', {
      env: this.env,
      profileDir: this.profileDir,
    });
    this.worker = worker;
    await worker.waitUntil(async () => (await this.queue.getWorkersCount()) > 0, 30_000);
    this.startProfile(worker);
    return worker;
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
    await waitFor(
      'the worker to leave',
      () => this.queue.getWorkersCount(),
      (n) => n === 0,
      10_000,
      this.signal,
    );
  }

  /**
   * Starts the yardstick (reference-server.ts) on the same database, account and Redis; answers
   * its URL. Its jobs go to a queue of their own, which only the yardstick's worker consumes.
   */
  async startReference(): Promise<string> {
    const port = await freePort();
    const { rows } = await this.db.query('SELECT id FROM accounts LIMIT 1');
    const reference = ServerProcess.start('yardstick', 'test/bench/reference-server.js', {
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: BENCH_DATABASE_URL,
        REDIS_URL,
        REDIS_PREFIX: BENCH_REDIS_PREFIX,
        REFERENCE_PORT: String(port),
        REFERENCE_ACCOUNT_ID: (rows[0] as { id: string }).id,
      },
      profileDir: this.profileDir,
    });
    this.reference = reference;
    const url = `http://127.0.0.1:${port}`;
    await reference.waitUntil(async () => {
      const response = await request(`${url}/`, { method: 'POST', body: '{}' });
      await response.body.dump();
      return response.statusCode === 404;
    }, 30_000);
    return url;
  }

  /** Stops the yardstick and its worker, and drops their jobs and rows. */
  async stopReference(): Promise<void> {
    await this.reference?.stop();
    this.reference = undefined;
    await this.resetReference();
  }

  /**
   * Starts the yardstick's worker (reference-worker.ts), niced as Switchboard's worker is, sending
   * to the fake Twilio; resolves once it consumes the yardstick's queue.
   */
  async startReferenceWorker(): Promise<void> {
    if (this.referenceWorker && !this.referenceWorker.exited) return;
    const worker = ServerProcess.start('yardstick-worker', 'test/bench/reference-worker.js', {
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: BENCH_DATABASE_URL,
        REDIS_URL,
        REDIS_PREFIX: BENCH_REDIS_PREFIX,
        REFERENCE_CONCURRENCY: BENCH_WORKER_CONCURRENCY,
        // Switchboard's worker reads WORKER_NICE from the same environment (default 10).
        REFERENCE_NICE: process.env.WORKER_NICE ?? '10',
        TWILIO_API_BASE_URL: this.fake.info.baseUrl,
        TWILIO_ACCOUNT_SID: this.fake.info.accountSid,
        TWILIO_AUTH_TOKEN: this.fake.info.authToken,
        REFERENCE_FROM: POOL_NUMBERS[0],
      },
      profileDir: this.profileDir,
    });
    this.referenceWorker = worker;
    await worker.waitUntil(async () => (await this.referenceQueue.getWorkersCount()) > 0, 30_000);
    this.startProfile(worker);
  }

  /** The yardstick's worker stopped, its queue emptied, every message and send forgotten. */
  async resetReference(): Promise<void> {
    await this.referenceWorker?.stop();
    this.referenceWorker = undefined;
    await this.referenceQueue.obliterate({ force: true });
    await this.resetMessages();
  }

  /** Every message and every job gone (the worker is stopped for it). */
  async resetMessages(): Promise<void> {
    await this.stopWorker();
    // Requests the load generator left in flight (a batch takes up to a second) must land first.
    let count = await this.countMessages();
    for (let round = 0; round < 20; round++) {
      await sleep(300);
      const now = await this.countMessages();
      if (now === count) break;
      count = now;
    }
    await this.db.query('TRUNCATE messages CASCADE');
    await this.queue.drain(true);
    await this.queue.clean(0, 100_000, 'completed');
    await this.queue.clean(0, 100_000, 'failed');
    await this.fake.reset();
  }

  async countMessages(status?: string): Promise<number> {
    const { rows } = status
      ? await this.db.query('SELECT count(*)::int AS n FROM messages WHERE status = $1', [status])
      : await this.db.query('SELECT count(*)::int AS n FROM messages');
    return (rows[0] as { n: number }).n;
  }

  /** POSTs a JSON body with the account's key (to the API, or to `origin`); answers the status. */
  async post(path: string, body: string, origin = this.apiUrl): Promise<number> {
    const response = await request(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body,
    });
    await response.body.dump();
    return response.statusCode;
  }

  /** A request with the account's key and an optional JSON body; answers the status and the JSON. */
  async call(
    method: 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await request(`${this.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : null };
  }

  /**
   * Runs `work` measuring the CPU time of every part of the system, and with CPU profiles of the
   * running servers (also one started meanwhile) when --profile is on.
   */
  async measure<T>(phase: string, work: () => Promise<T>): Promise<[T, CpuUse | null]> {
    const before = this.cpuMeter.snapshot();
    this.profiling = new Set();
    for (const server of [this.api, this.worker, this.reference, this.referenceWorker]) {
      if (server) this.startProfile(server);
    }
    try {
      const result = await work();
      return [result, this.cpuMeter.since(before)];
    } finally {
      const profiled = [...this.profiling];
      this.profiling = undefined;
      for (const server of profiled) {
        const file = await server.stopProfile();
        if (file) renameSync(file, join(this.profileDir!, `${server.name}-${phase}.cpuprofile`));
      }
    }
  }

  private startProfile(server: ServerProcess): void {
    if (!this.profileDir || !this.profiling || server.exited) return;
    server.startProfile();
    this.profiling.add(server);
  }
}

async function recreateDatabase(): Promise<void> {
  const name = databaseNameOf(BENCH_DATABASE_URL);
  const admin = new URL(BENCH_DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await prepareDatabase(BENCH_DATABASE_URL);
}

/** Through the project's own CLI, as an operator would. */
async function createAccount(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, 'dist/apps/api/src/cli/create-account.js'), '--name', 'Benchmark'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL, REDIS_URL, LOG_LEVEL: 'warn' },
      timeout: 30_000,
    },
  );
  const key = /API key:\s+(\S+)/.exec(stdout)?.[1];
  if (!key) throw new Error(`could not read the API key from:\n${stdout}`);
  return key;
}
