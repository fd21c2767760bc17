import type { RedisCommander } from 'ioredis';
import { JobsOptions, Queue } from 'bullmq';

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

/**
 * Adds jobs to a queue (`Queue.addBulk`: one pipeline, the queue's default job options under
 * each job's own), then sends PUBLISHes on the queue's own connection without waiting for their
 * answers. The publications leave once Redis has answered for the jobs, so whoever hears one
 * finds the jobs it announces, and hears it before any worker could report on them.
 *
 * Through BullMQ's and ioredis's public API only: writing the jobs and the publications in one
 * socket write (BullMQ's `Job.addJob` on a corked ioredis socket) measured no better in paired
 * benchmark runs (docs/performance.md#optimizations-that-lean-on-a-dependencys-internals).
 *
 * Throws when Redis refused a job (after every job's answer came), and then publishes nothing:
 * the caller may retry the jobs (they have fixed ids) or announce them its own way. Publications
 * that fail are not errors (they are notifications). Throws at once when the queue's connection
 * is not ready (Redis unreachable): BullMQ's connection would otherwise hold the commands until
 * Redis is back, and the caller with them.
 */
export async function addJobsAndPublish<Data>(
  queue: Queue<Data>,
  jobs: JobToAdd<Data>[],
  publications: Publication[],
): Promise<void> {
  const client = await queue.client;
  if (client.status !== 'ready') throw new Error(`the Redis connection is ${client.status}`);
  // BullMQ types a queue's jobs by the data's shape; these are its own `JobsOptions`.
  await queue.addBulk(jobs as Parameters<typeof queue.addBulk>[0]);
  // BullMQ types its client with only the commands it uses itself; it is an ioredis client.
  const commands = client as unknown as Pick<RedisCommander, 'publish'>;
  for (const { channel, message } of publications) {
    commands.publish(channel, message).catch(() => undefined);
  }
}
