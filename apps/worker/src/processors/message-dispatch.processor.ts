import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleInit } from '@nestjs/common';
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

  private readonly logger = new Logger(MessageDispatchProcessor.name);

  onModuleInit(): void {
    this.worker.concurrency = this.config.get('WORKER_CONCURRENCY');
  }

  /**
   * BullMQ reports here what it could not do outside a job (e.g. finish a job whose key vanished
   * when Redis restarted empty; the reconciler re-enqueues its message). Unheard, the event would
   * throw and end the process.
   */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Dispatch worker: ${error.message}`);
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
