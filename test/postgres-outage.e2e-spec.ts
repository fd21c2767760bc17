import { ChildProcess, execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { Agent } from 'undici';
import { prepareDatabase } from '../libs/core/src/database/prepare-database';
import { FakeTwilio } from './fakes/fake-twilio';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';
import { ApiProcess, spawnApiProcess } from './helpers/device-api-process';
import { eventually } from './helpers/eventually';
import { PrivatePostgres } from './helpers/private-postgres';
import { twilioEnv } from './helpers/twilio-env';
import { spawnWorkerProcess, stopProcess } from './helpers/worker-process';

const RATE_PER_SECOND = 200;
const BEFORE_MS = 3000;
const OUTAGE_MS = 4000;
const AFTER_MS = 4000;
// The longest any request may take, outage or not: a hung request would show as a timeout.
const ANSWER_BOUND_MS = 8000;
// The worker sends slower than the load arrives (50 at once, 0.5 s each: 100 a second), so that
// it holds a backlog of jobs, some of them mid-send, when PostgreSQL stops.
const WORKER_CONCURRENCY = 50;
const TWILIO_LATENCY_MS = 500;

interface Outcome {
  index: number;
  sentAt: number;
  status: number | 'timeout' | 'network error';
  elapsedMs: number;
  id?: string;
  code?: string;
  contentType?: string | null;
  retryAfter?: string | null;
}

/**
 * PostgreSQL stopped and started again under a steady load of POST /messages, with the API and
 * the worker as real processes on a PostgreSQL cluster of the test's own.
 */
describe('PostgreSQL outage under load', () => {
  let postgres: PrivatePostgres;
  let fake: FakeTwilio;
  let api: ApiProcess;
  let worker: ChildProcess;
  let databaseUrl: string;
  let postgresDown = false;
  const dispatcher = new Agent({ connections: 64 });

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    databaseUrl = postgres.url('switchboard');
    await prepareDatabase(databaseUrl);
    fake = await FakeTwilio.start({ latencyMs: TWILIO_LATENCY_MS });
    const env = {
      ...twilioEnv(fake),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      RECONCILE_INTERVAL_MS: '1000',
      // A message whose sending was cut by the outage is retried soon, within this test.
      DISPATCH_STUCK_AFTER_MS: '5000',
      DEVICE_ACK_TIMEOUT_MS: '1000',
      DEVICE_RESULT_TIMEOUT_MS: '2000',
    };
    api = await spawnApiProcess({ ...env, LOG_LEVEL: 'warn' });
    worker = await spawnWorkerProcess({ ...env, PUBLIC_BASE_URL: api.url });
  }, 60_000);
  afterAll(async () => {
    if (postgresDown) await postgres.start();
    if (worker) await stopProcess(worker);
    if (api) await stopProcess(api.child);
    await dispatcher.close();
    await fake?.close();
    await postgres?.destroy();
  });

  const createAccountKey = (): string => {
    const output = execFileSync(
      process.execPath,
      [compiledEntry('apps/api/src/cli/create-account.js'), '--name', 'Outage Corp'],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } },
    ).toString();
    return output.match(/API key: (\S+)/)![1];
  };

  const post = async (index: number, key: string): Promise<Outcome> => {
    const started = Date.now();
    try {
      const response = await fetch(`${api.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+14155550200', body: `load ${index}` }),
        signal: AbortSignal.timeout(ANSWER_BOUND_MS),
        // @ts-expect-error undici's option, not in the DOM types
        dispatcher,
      });
      const body = (await response.json()) as { id?: string; code?: string };
      return {
        index,
        sentAt: started,
        status: response.status,
        elapsedMs: Date.now() - started,
        id: response.status === 202 ? body.id : undefined,
        code: body.code,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return {
        index,
        sentAt: started,
        status: timedOut ? 'timeout' : 'network error',
        elapsedMs: Date.now() - started,
      };
    }
  };

  const unfinishedMessages = async (): Promise<number> => {
    const database = new Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      const result = await database.query(
        `SELECT count(*)::int AS count FROM messages WHERE status IN ('queued', 'sending')`,
      );
      return result.rows[0].count;
    } finally {
      await database.end();
    }
  };

  const readiness = async () => {
    const response = await fetch(`${api.url}/health/ready`, {
      signal: AbortSignal.timeout(ANSWER_BOUND_MS),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers 503 problems meanwhile, loses no accepted message, and resumes without a restart', async () => {
    const key = createAccountKey();
    const apiPid = api.child.pid;
    const workerPid = worker.pid;
    const outcomes: Array<Promise<Outcome>> = [];
    const readyDuringOutage: Array<{ status: number; body: Record<string, unknown> }> = [];

    // A steady pace from the start of the run (each request at its due time, not after the last).
    const total = ((BEFORE_MS + OUTAGE_MS + AFTER_MS) / 1000) * RATE_PER_SECOND;
    const started = Date.now();
    const load = (async () => {
      for (let index = 0; index < total; index++) {
        const due = started + (index * 1000) / RATE_PER_SECOND;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        outcomes.push(post(index, key));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, BEFORE_MS));
    const backlog = await unfinishedMessages();
    const stoppedAt = Date.now();
    await postgres.stop();
    postgresDown = true;
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      readyDuringOutage.push(await readiness());
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const restartedAt = Date.now();
    await postgres.start();
    postgresDown = false;
    await load;
    const answered = await Promise.all(outcomes);

    // Every request got an answer in time: 202, or a 503 problem saying PostgreSQL is down.
    const unexpected = answered.filter(
      (outcome) =>
        !(outcome.status === 202 && outcome.id) &&
        !(
          outcome.status === 503 &&
          outcome.code === 'DATABASE_UNAVAILABLE' &&
          outcome.contentType?.startsWith('application/problem+json') &&
          outcome.retryAfter
        ),
    );
    // Named by when the request was sent, so that a failure tells a stall that begins with the
    // outage from a client or machine too slow for the load all along.
    const phaseOf = (sentAt: number) =>
      sentAt < stoppedAt ? 'before' : sentAt < restartedAt ? 'during' : 'after';
    const unexpectedKinds: Record<string, number> = {};
    for (const outcome of unexpected) {
      const kind = `${outcome.status} ${outcome.code ?? ''} retry-after=${outcome.retryAfter ?? ''} sent ${phaseOf(outcome.sentAt)} the outage`;
      unexpectedKinds[kind] = (unexpectedKinds[kind] ?? 0) + 1;
    }
    expect(unexpectedKinds).toEqual({});
    const accepted = answered.filter((outcome) => outcome.status === 202);
    const refused = answered.filter((outcome) => outcome.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(backlog).toBeGreaterThan(WORKER_CONCURRENCY);
    // Accepting resumed once PostgreSQL was back: the last second's requests were all accepted.
    const lastSecond = answered.slice(-RATE_PER_SECOND);
    expect(lastSecond.filter((outcome) => outcome.status !== 202)).toEqual([]);

    // Readiness named PostgreSQL while it was down, and recovers.
    expect(readyDuringOutage.length).toBeGreaterThan(0);
    for (const ready of readyDuringOutage) {
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        code: 'NOT_READY',
        checks: expect.objectContaining({ postgres: expect.objectContaining({ status: 'down' }) }),
      });
    }
    expect((await eventually(readiness, (ready) => ready.status === 200)).status).toBe(200);

    // Every accepted message is stored and ends sent, and nothing refused was stored.
    const database = new Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      const acceptedIds = accepted.map((outcome) => outcome.id!);
      const unsent = await eventually(
        async () =>
          (
            await database.query(
              `SELECT id, status FROM messages WHERE id = ANY($1) AND status <> 'sent'`,
              [acceptedIds],
            )
          ).rows,
        (rows) => rows.length === 0,
        60_000,
        500,
      );
      expect(unsent).toEqual([]);
      const stored = await database.query(
        `SELECT count(*)::int AS count FROM messages WHERE direction = 'outbound'`,
      );
      expect(stored.rows[0].count).toBe(accepted.length);
    } finally {
      await database.end();
    }
    const sentBodies = new Set(fake.messages.map((message) => message.body));
    const missing = accepted.filter((outcome) => !sentBodies.has(`load ${outcome.index}`));
    expect(missing).toEqual([]);
    // Sends that reached Twilio while PostgreSQL was going down waited to be recorded: none of
    // them was sent again.
    const duplicates = fake.messages.length - sentBodies.size;
    expect(duplicates).toBe(0);

    // Neither process restarted.
    expect(api.child.exitCode).toBeNull();
    expect(api.child.pid).toBe(apiPid);
    expect(worker.exitCode).toBeNull();
    expect(worker.pid).toBe(workerPid);
    console.log(
      `PostgreSQL outage: ${answered.length} requests, ${accepted.length} accepted, ${refused.length} refused with 503, ` +
        `slowest answer ${Math.max(...answered.map((outcome) => outcome.elapsedMs))} ms, ` +
        `${backlog} unfinished when it stopped, ${duplicates} duplicate sends`,
    );
  }, 120_000);
});
