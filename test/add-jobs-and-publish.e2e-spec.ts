import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { addJobsAndPublish, redisOptionsFromUrl } from '@app/core';
import { eventually } from './helpers/eventually';
import { PrivateRedis } from './helpers/private-redis';
import { TEST_REDIS_URL } from './setup/test-database';

// Against the Redis of the tests (TEST_REDIS_URL), under a prefix of this run's own.
const REDIS = redisOptionsFromUrl(TEST_REDIS_URL);

describe('addJobsAndPublish', () => {
  const prefix = `switchboard-test-${randomUUID()}`;
  const channel = `${prefix}:announcements`;
  let queue: Queue<{ n: number }>;
  let listener: Redis;

  beforeAll(async () => {
    queue = new Queue('jobs', {
      connection: REDIS,
      prefix,
      defaultJobOptions: { attempts: 4, removeOnComplete: { count: 10 } },
    });
    listener = new Redis(REDIS);
    await listener.subscribe(channel);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    listener.disconnect();
  });

  it('adds the jobs with the queue’s defaults under their own options, then publishes', async () => {
    // What a listener finds in the queue at the moment it hears the publication.
    const seenOnPublication = new Promise<string[]>((resolve) => {
      listener.once('message', () => {
        void Promise.all([queue.getJobState('a'), queue.getJobState('b')]).then(resolve);
      });
    });

    await addJobsAndPublish(
      queue,
      [
        { name: 'first', data: { n: 1 }, opts: { jobId: 'a' } },
        { name: 'second', data: { n: 2 }, opts: { jobId: 'b', delay: 60_000, attempts: 2 } },
      ],
      [{ channel, message: 'two jobs' }],
    );

    expect(await seenOnPublication).toEqual(['waiting', 'delayed']);
    const first = await queue.getJob('a');
    expect(first).toMatchObject({ name: 'first', data: { n: 1 } });
    expect(first!.opts).toMatchObject({ attempts: 4, removeOnComplete: { count: 10 } });
    const second = await queue.getJob('b');
    expect(second).toMatchObject({ name: 'second', data: { n: 2 } });
    expect(second!.opts).toMatchObject({ attempts: 2, delay: 60_000 });
  });

  it('adds a job again without a second copy (its id is fixed)', async () => {
    const job = { name: 'once', data: { n: 3 }, opts: { jobId: 'c' } };
    await addJobsAndPublish(queue, [job], []);
    await addJobsAndPublish(queue, [job, { ...job, opts: { jobId: 'd' } }], []);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(3); // a, c, d
  });

  it('throws when Redis refuses a job, still adds the others, and publishes nothing', async () => {
    // A string key in the place of a job's hash: Redis answers WRONGTYPE to that job's script.
    const client = await queue.client;
    await client.set(`${prefix}:jobs:e`, 'not a job hash');
    const firstHeard = new Promise<string>((resolve) =>
      listener.once('message', (_channel, message: string) => resolve(message)),
    );
    await expect(
      addJobsAndPublish(
        queue,
        [
          { name: 'refused', data: { n: 4 }, opts: { jobId: 'e' } },
          { name: 'fine', data: { n: 5 }, opts: { jobId: 'f' } },
        ],
        [{ channel, message: 'e and f' }],
      ),
    ).rejects.toThrow(/WRONGTYPE/);
    expect(await queue.getJobState('f')).toBe('waiting');
    // Redis delivers one connection's publications in order: had the refused batch's gone out,
    // it would be heard before this one.
    await (client as unknown as Redis).publish(channel, 'after the refusal');
    expect(await firstHeard).toBe('after the refusal');
  });
});

describe('addJobsAndPublish while Redis is unreachable', () => {
  let redis: PrivateRedis;
  let queue: Queue<{ n: number }>;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    queue = new Queue('jobs', { connection: { host: '127.0.0.1', port: redis.port } });
    queue.on('error', () => undefined); // the refused reconnections, expected here
    await queue.waitUntilReady();
  });
  afterAll(async () => {
    await redis.start();
    await queue.close();
    await redis.stop();
  });

  it('throws at once instead of waiting for Redis to come back', async () => {
    await redis.stop();
    await eventually(
      async () => (await queue.client).status,
      (status) => status !== 'ready',
    );
    await expect(
      addJobsAndPublish(queue, [{ name: 'job', data: { n: 1 }, opts: { jobId: 'x' } }], []),
    ).rejects.toThrow(/the Redis connection is (connecting|reconnecting|close)/);
  });
});
