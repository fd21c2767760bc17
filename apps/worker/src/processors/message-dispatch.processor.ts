import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnModuleInit } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { AppConfig, MessageDispatchJob, QueueName } from '@app/core';
import { MessageDispatchService, SendLaterError } from '@app/messaging';

/** Thin: hands each job to the dispatch service and translates its answer for BullMQ. */
@Processor(QueueName.MessageDispatch)
export class MessageDispatchProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly dispatcher: MessageDispatchService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.get('WORKER_CONCURRENCY');
  }

  async process(job: Job<MessageDispatchJob>, token?: string): Promise<string> {
    try {
      const result = await this.dispatcher.dispatch(job.data.messageId, {
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
      });
      // Throwing hands the job back to BullMQ's retry with exponential backoff and jitter.
      if (result === 'retry') throw new Error('transient dispatch failure; retrying');
      return result;
    } catch (error) {
      if (error instanceof SendLaterError) {
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        throw new DelayedError();
      }
      throw error;
    }
  }
}
