import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { AppConfig, QueueName, WebhookDeliveryJob } from '@app/core';
import { DeliveryOutcome, WebhookDeliveryService } from '@app/webhooks';

/**
 * Thin: one attempt per run. A retry moves the same job (id = delivery id) back to delayed, so a
 * delivery never has two jobs and its `webhook-id` never changes.
 */
@Processor(QueueName.WebhookDelivery)
export class WebhookDeliveryProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly deliveries: WebhookDeliveryService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.get('WEBHOOK_WORKER_CONCURRENCY');
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Webhook delivery worker: ${error.message}`);
  }

  async process(job: Job<WebhookDeliveryJob>, token?: string): Promise<DeliveryOutcome['kind']> {
    const outcome = await this.deliveries.deliver(job.data.deliveryId);
    if (outcome.kind === 'retry') {
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    return outcome.kind;
  }
}
