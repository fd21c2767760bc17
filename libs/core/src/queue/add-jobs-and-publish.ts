import type { RedisCommander } from 'ioredis';
import { Job, JobsOptions, Queue } from 'bullmq';

/** A Redis PUBLISH: a channel and the message to send on it. */
export interface Publication {
  channel: string;
  message: string;
}

/** A job as `Queue.add` takes it; its id is required, so that adding it twice is harmless. */
export interface JobToAdd<Data> {
  name: string;
  data: Data;
  opts: JobsOptions & { jobId: string };
}

/** The part of an ioredis connection this uses: the socket its commands are written to. */
interface CorkableConnection {
  stream?: { cork(): void; uncork(): void };
}

/**
 * Adds jobs to a queue and sends PUBLISHes in one socket write on the queue's connection: where
 * `queue.addBulk` followed by a publish on another connection takes two round trips. At a steady
 * few hundred requests a second nothing batches, and that second round trip was a large share of
 * the API's work per message (docs/performance.md#round-trips).
 *
 * The jobs are added as `Queue.add` adds them (BullMQ's `Job.addJob`), with the queue's default
 * job options under each job's own, each command written while the socket is corked, so that all
 * of them leave in one write. Not through an ioredis pipeline: making one copies every script
 * BullMQ defines onto it (kept by V8 until a full collection), and an accept at a steady rate
 * made one per message (docs/performance.md#what-made-the-difference). Redis runs one connection's commands in
 * order, so whoever hears a publication hears it after the jobs exist, and before any worker
 * could report on them.
 *
 * Throws when Redis refused a job (after every job's answer came); publications that fail are not
 * errors (they are notifications, and the caller may retry the jobs, which have fixed ids).
 * Throws at once when the queue's connection is not ready (Redis unreachable): BullMQ's
 * connection would otherwise hold the commands until Redis is back, and the caller with them.
 */
export async function addJobsAndPublish<Data>(
  queue: Queue<Data>,
  jobs: JobToAdd<Data>[],
  publications: Publication[],
): Promise<void> {
  const client = await queue.client;
  if (client.status !== 'ready') throw new Error(`the Redis connection is ${client.status}`);
  const defaults = queue.defaultJobOptions;
  // ioredis writes a command to the socket as it is issued (the connection is ready), so every
  // command below is in the corked socket's buffer when it is uncorked.
  const socket = (client as unknown as CorkableConnection).stream;
  socket?.cork();
  let added: Promise<string>[];
  try {
    added = jobs.map(({ name, data, opts }) => {
      try {
        return new Job(queue, name, data, { ...defaults, ...opts }, opts.jobId).addJob(client);
      } catch (invalid) {
        return Promise.reject(invalid as Error); // BullMQ refused its options before sending
      }
    });
    // BullMQ types its client with only the commands it uses itself; it is an ioredis client.
    const commands = client as unknown as Pick<RedisCommander, 'publish'>;
    for (const { channel, message } of publications) {
      commands.publish(channel, message).catch(() => undefined);
    }
  } finally {
    socket?.uncork();
  }
  // Every job's answer before throwing: none is left to reject unobserved.
  const refused = (await Promise.allSettled(added)).find(
    (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
  );
  if (refused) throw refused.reason;
}
