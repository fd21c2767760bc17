import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { QueueName, webhookDeliveryJobFor } from '@app/core';
import { AfterCommit } from '@app/messaging';
import { NewWebhookEvent, WebhookEventRepository } from './webhook-event.repository';
import { WebhookSubscriptions } from './webhook-subscriptions';

/**
 * Writes events in the caller's transaction (the outbox) and, once it committed, enqueues one job
 * per delivery. A job lost between the two (a crash, a Redis outage) is re-added by the
 * reconciler: the delivery row, not the job, is the record.
 */
@Injectable()
export class WebhookOutbox {
  constructor(
    private readonly events: WebhookEventRepository,
    private readonly subscriptions: WebhookSubscriptions,
    @InjectQueue(QueueName.WebhookDelivery) private readonly queue: Queue,
  ) {}

  /** Whether events of this type for this account (undefined: any) may concern an endpoint. */
  mayWant(accountId: string | null | undefined, eventType: string): boolean {
    return this.subscriptions.mayWant(accountId, eventType);
  }

  /** In the caller's transaction; call the result after it committed. */
  async append(manager: EntityManager, events: NewWebhookEvent[]): Promise<AfterCommit> {
    const deliveryIds = await this.appendEvents(manager, events);
    return () => this.enqueue(deliveryIds);
  }

  /** The same, for a caller that enqueues itself: returns the ids of the deliveries made. */
  appendEvents(manager: EntityManager, events: NewWebhookEvent[]): Promise<string[]> {
    return this.events.append(manager, events);
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(deliveryIds.map((id) => webhookDeliveryJobFor(id)));
  }
}
