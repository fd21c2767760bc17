import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig, Clock, QueueName } from '@app/core';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEventRepository } from './webhook-event.repository';
import { WebhookOutbox } from './webhook-outbox';

// A delivery this young may still be between its COMMIT and its job being added.
const SETTLED_AFTER_MS = 5_000;
const BATCH = 1000;
// The purge scans old events: once an hour is plenty for a retention counted in days.
const PURGE_EVERY_MS = 3_600_000;
const LIVE_JOB_STATES = new Set([
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
]);

/**
 * Repairs what Redis lost (docs/architecture.md#webhooks): every pending delivery whose job is
 * gone (a crash between COMMIT and enqueue, FLUSHALL, a restart without persistence) gets its job
 * back under the same id. Also purges the delivery log past WEBHOOK_LOG_RETENTION_DAYS.
 */
@Injectable()
export class WebhookReconcilerService {
  private readonly logger = new Logger(WebhookReconcilerService.name);
  private readonly retentionMs: number;
  private lastPurgeAt = 0;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: WebhookEventRepository,
    private readonly outbox: WebhookOutbox,
    private readonly clock: Clock,
    @InjectQueue(QueueName.WebhookDelivery) private readonly queue: Queue,
    config: AppConfig,
  ) {
    this.retentionMs = config.get('WEBHOOK_LOG_RETENTION_DAYS') * 86_400_000;
  }

  async reconcile(): Promise<{ requeued: number; purged: number }> {
    let requeued = 0;
    let after: string | undefined;
    for (;;) {
      const pending = await this.deliveries.findPending(SETTLED_AFTER_MS, BATCH, after);
      if (pending.length === 0) break;
      const states = await Promise.all(pending.map((id) => this.queue.getJobState(id)));
      const lost = pending.filter((_, index) => !LIVE_JOB_STATES.has(states[index]));
      // A finished job under the id would keep the new one from being added.
      await Promise.all(lost.map((id) => this.queue.remove(id).catch(() => 0)));
      await this.outbox.enqueue(lost);
      requeued += lost.length;
      if (pending.length < BATCH) break;
      after = pending[pending.length - 1];
    }
    let purged = 0;
    const now = this.clock.now().getTime();
    if (now - this.lastPurgeAt >= PURGE_EVERY_MS) {
      this.lastPurgeAt = now;
      purged = await this.events.purgeOlderThan(new Date(now - this.retentionMs));
    }
    if (requeued > 0) this.logger.log({ requeued }, 'Re-enqueued webhook deliveries without a job');
    return { requeued, purged };
  }
}
