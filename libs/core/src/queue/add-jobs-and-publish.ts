import type { ChainableCommander } from 'ioredis';
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

/**
 * Adds jobs to a queue and sends PUBLISHes in one pipeline on the queue's connection: one socket
 * write and one reply, where `queue.addBulk` followed by a publish on another connection takes two
 * round trips. At a steady few hundred requests a second nothing batches, and on a machine where
 * a loopback write costs ~0.1 ms of CPU that second round trip was a fifth of the API's work per
 * message.
 *
 * The jobs are added exactly as `Queue.addBulk` adds them (BullMQ's `Job.createBulk`: one
 * `Job.addJob` per job on a pipeline), with the queue's default job options under each job's own.
 * Redis runs one connection's commands in order, so whoever hears a publication hears it after
 * the jobs exist, and before any worker could report on them.
 *
 * Throws when Redis refused a job; publications that fail are not errors (they are
 * notifications, and the caller may retry the jobs, which have fixed ids). Throws at once when the
 * queue's connection is not ready (Redis unreachable): BullMQ's connection would otherwise hold
 * the commands until Redis is back, and the caller with them.
 */
export async function addJobsAndPublish<Data>(
  queue: Queue<Data>,
  jobs: JobToAdd<Data>[],
  publications: Publication[],
): Promise<void> {
  const client = await queue.client;
  if (client.status !== 'ready') throw new Error(`the Redis connection is ${client.status}`);
  const pipeline = client.pipeline();
  const defaults = queue.defaultJobOptions;
  for (const { name, data, opts } of jobs) {
    // On a pipeline, addJob only queues the script call; its outcome is in exec's results.
    void new Job(queue, name, data, { ...defaults, ...opts }, opts.jobId).addJob(pipeline);
  }
  // BullMQ types its pipeline with only the commands it uses itself; on ioredis it is an ioredis
  // pipeline, which has every command.
  const commands = pipeline as unknown as ChainableCommander;
  for (const { channel, message } of publications) commands.publish(channel, message);
  const results = (await pipeline.exec()) ?? [];
  jobs.forEach((job, index) => {
    const [error, outcome] = results[index] ?? [new Error('No reply from Redis'), null];
    if (error) throw error;
    // BullMQ's scripts answer a negative code instead of an id when they refuse a job.
    if (typeof outcome === 'number' && outcome < 0) {
      throw new Error(`Redis refused job ${job.opts.jobId} (BullMQ code ${outcome})`);
    }
  });
}
