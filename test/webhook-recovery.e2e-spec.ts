import { ChildProcess } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { PrivateRedis } from './helpers/private-redis';
import { createTestApp, urlOf } from './helpers/test-app';
import { twilioEnv } from './helpers/twilio-env';
import { postInboundSms } from './helpers/twilio-webhook';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { spawnWorkerProcess, stopProcess } from './helpers/worker-process';

const TOTAL = 1000;
/** Deliveries the killed worker runs at once: the most a crash can leave unrecorded. */
const WORKER_CONCURRENCY = 20;
const PHONE = '+14155558800';

/**
 * No webhook is lost: kill -9 the worker in the middle of delivering the events of 1,000 inbound
 * texts and flush Redis; a new worker (its reconciler) must still deliver every event. Runs on a
 * private Redis, since it flushes it.
 */
describe('no webhook is lost when the worker dies and Redis is flushed', () => {
  let redis: PrivateRedis;
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let receiver: WebhookReceiver;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    fake = await FakeTwilio.start();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker, 'SIGKILL')));
    await app?.close();
    await receiver.stop();
    await fake.close();
    await redis.stop();
  });

  it(`delivers the events of all ${TOTAL} inbound texts at least once, counting duplicates`, async () => {
    const env = {
      ...twilioEnv(fake),
      REDIS_URL: redis.url,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_SCHEDULE_MS: '200,400,800',
      // Longer than the test: a held request never times out (and is retried) before the kill.
      WEBHOOK_TIMEOUT_MS: '60000',
    };
    app = await createTestApp(env);
    const workerEnv = {
      ...env,
      PUBLIC_BASE_URL: urlOf(app),
      REDIS_PREFIX: process.env.REDIS_PREFIX!,
      WEBHOOK_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT: String(WORKER_CONCURRENCY),
      RECONCILE_INTERVAL_MS: '1000',
    };
    const account = await createAccount(app);
    const endpoint = await request(app.getHttpServer())
      .post('/api/v1/webhooks')
      .set(account.headers)
      .send({ url: receiver.url('/inbound'), events: ['message.received'] });
    expect(endpoint.status).toBe(201);

    // Mid-delivery the receiver takes requests and stops answering: every delivery the worker
    // runs ends up waiting on a request the receiver got, so what the kill interrupts is known.
    let holding = false;
    const held: Array<() => void> = [];
    receiver.answer = () =>
      holding
        ? new Promise((resolve) => held.push(() => resolve({ status: 204 })))
        : { status: 204 };

    workers.push(await spawnWorkerProcess(workerEnv));
    // The phone's texts reach this account: it texted the phone first.
    const opener = await request(app.getHttpServer())
      .post('/api/v1/messages?wait=10')
      .set(account.headers)
      .send({ to: PHONE, body: 'Hello' });
    expect(opener.body.status).toBe('sent');

    let next = 0;
    const post = async () => {
      while (next < TOTAL) {
        const index = next++;
        const response = await postInboundSms(app, fake, {
          from: PHONE,
          to: opener.body.from,
          body: `fault test ${index}`,
        });
        expect(response.status).toBe(200);
        if (index === 300) holding = true;
      }
    };
    await Promise.all(Array.from({ length: 8 }, post));
    await eventually(
      async () => held.length,
      (count) => count >= WORKER_CONCURRENCY,
      60_000,
    );

    const dataSource = app.get(DataSource);
    const messageIds: string[] = (
      await dataSource.query(
        `SELECT id FROM messages WHERE account_id = $1 AND direction = 'inbound'`,
        [account.account.id],
      )
    ).map((row: { id: string }) => row.id);
    expect(messageIds).toHaveLength(TOTAL);
    const receivedBeforeCrash = receiver.requests.length;
    await stopProcess(workers[0], 'SIGKILL');
    held.forEach((release) => release());
    const flusher = new Redis(redis.url);
    await flusher.flushall();
    flusher.disconnect();
    expect(receivedBeforeCrash).toBeLessThan(TOTAL);

    holding = false;
    workers.push(await spawnWorkerProcess(workerEnv));
    const pending = await eventually(
      async () =>
        (
          await dataSource.query(
            `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status <> 'succeeded'`,
            [endpoint.body.id],
          )
        )[0].n as number,
      (count) => count === 0,
      120_000,
      250,
    );
    expect(pending).toBe(0);

    const delivered = receiver.requests.map((entry) => JSON.parse(entry.body).data.id as string);
    const distinct = new Set(delivered);
    for (const id of messageIds) expect(distinct.has(id)).toBe(true);
    const duplicates = delivered.length - distinct.size;
    process.stdout.write(
      `webhook fault test: ${TOTAL} events, ${receivedBeforeCrash} received before kill -9 + FLUSHALL ` +
        `(${held.length} unanswered), ${delivered.length} in total, ${duplicates} duplicate(s)\n`,
    );
    // Only a request the dead worker had not seen answered goes again, and it had at most its
    // concurrency of them.
    expect(duplicates).toBeLessThanOrEqual(held.length);
    expect(held.length).toBeLessThanOrEqual(WORKER_CONCURRENCY);
    // A duplicate keeps its webhook-id: a receiver deduplicates on it.
    const idsByMessage = new Map<string, Set<string>>();
    for (const entry of receiver.requests) {
      const messageId = JSON.parse(entry.body).data.id as string;
      const ids = idsByMessage.get(messageId) ?? new Set();
      ids.add(String(entry.headers['webhook-id']));
      idsByMessage.set(messageId, ids);
    }
    expect([...idsByMessage.values()].every((ids) => ids.size === 1)).toBe(true);
  }, 240_000);
});
