import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createAccount } from './helpers/account.factory';
import { ApiProcess, spawnApiProcess } from './helpers/device-api-process';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { stopProcess } from './helpers/worker-process';

interface Answer {
  status: number;
  replayed: string | null;
  body: { id?: string; code?: string; data?: Array<{ id: string }> };
}

const RETRIES = 50;

/**
 * An unlucky client: its request committed, then the API died (kill -9) before the answer
 * reached it. Whatever it retries with the same Idempotency-Key, on a new API process, must
 * replay what was committed and never store a second message. No worker runs: the messages stay
 * queued, so a `?wait` request is still waiting when it is killed.
 */
describe('Idempotency-Key across an API crash', () => {
  let app: NestExpressApplication;
  let api: ApiProcess | undefined;

  const post = async (
    path: string,
    headers: Record<string, string>,
    key: string,
    body: unknown,
  ): Promise<Answer> => {
    const response = await fetch(`${api!.url}/api/v1${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      replayed: response.headers.get('idempotent-replayed'),
      body: (await response.json()) as Answer['body'],
    };
  };
  /** Half of the retries at once, then the other half one after the other. */
  const retry = async (send: () => Promise<Answer>): Promise<Answer[]> => {
    const answers = await Promise.all(Array.from({ length: RETRIES / 2 }, send));
    for (let i = 0; i < RETRIES / 2; i++) answers.push(await send());
    return answers;
  };
  const storedIds = async (accountId: string): Promise<string[]> =>
    (
      await app
        .get(DataSource)
        .query('SELECT id FROM messages WHERE account_id = $1 ORDER BY id', [accountId])
    ).map((row: { id: string }) => row.id);
  /** kill -9 the API and start another one in its place. */
  const crashAndRestart = async () => {
    await stopProcess(api!.child, 'SIGKILL');
    api = await spawnApiProcess({});
  };

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterEach(async () => {
    if (api) await stopProcess(api.child, 'SIGKILL');
    api = undefined;
  });
  afterAll(async () => {
    await app.close();
  });

  it(`a ?wait request killed after its commit: ${RETRIES} retries replay it, one message`, async () => {
    const { account, headers } = await createAccount(app);
    api = await spawnApiProcess({});
    const request = { to: '+14155550301', body: 'Committed, then the API died' };
    const first = post('/messages?wait=30', headers, 'crash-wait', request).then(
      () => 'answered',
      () => 'no answer',
    );
    const [committed] = await eventually(
      () => storedIds(account.id),
      (ids) => ids.length === 1,
      20_000,
    );
    await crashAndRestart();
    expect(await first).toBe('no answer');

    const answers = await retry(() => post('/messages?wait=30', headers, 'crash-wait', request));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 202, replayed: 'true', body: { id: committed } });
    }
    expect(await storedIds(account.id)).toEqual([committed]);

    // The key stays bound to what it committed: another body is refused, not sent.
    const reused = await post('/messages?wait=30', headers, 'crash-wait', {
      ...request,
      body: 'Something else',
    });
    expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await storedIds(account.id)).toEqual([committed]);
  });

  it(`a batch killed as its rows commit: ${RETRIES} retries replay the same messages`, async () => {
    const { account, headers } = await createAccount(app);
    api = await spawnApiProcess({});
    const batch = {
      messages: Array.from({ length: 500 }, (_, i) => ({
        to: `+1415557${String(1000 + i).padStart(4, '0')}`,
        body: `Batch message ${i}`,
      })),
    };
    const first = post('/messages/batch', headers, 'crash-batch', batch).catch(() => undefined);
    // Killed the moment the rows are visible: between the commit and the answer (the jobs of
    // 500 messages are still being added to Redis).
    const committed = await eventually(
      () => storedIds(account.id),
      (ids) => ids.length > 0,
      20_000,
      5,
    );
    await crashAndRestart();
    expect(committed).toHaveLength(500);
    const answered = await first;

    const answers = await retry(() => post('/messages/batch', headers, 'crash-batch', batch));
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.replayed).toBe('true');
      expect(answer.body.data!.map((message) => message.id).sort()).toEqual(committed);
    }
    if (answered)
      expect(answered.body.data!.map((message) => message.id).sort()).toEqual(committed);
    expect(await storedIds(account.id)).toEqual(committed);
  });
});
