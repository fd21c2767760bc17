import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/core';
import { MessagingModule } from '@app/messaging';
import { MessageWebhooksHook } from './message-webhooks.hook';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookEventRepository } from './webhook-event.repository';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookSecretCipher } from './webhook-secret-cipher';
import { WebhookSubscriptions } from './webhook-subscriptions';
import { WebhookUrlPolicy } from './webhook-url-policy';

/**
 * Delivery jobs keep no history of their own: the delivery row and its attempts are the record.
 * Retries are not BullMQ's: the delivery service schedules them (a delayed job, same id).
 */
export const WebhookDeliveryQueue = BullModule.registerQueue({
  name: QueueName.WebhookDelivery,
  defaultJobOptions: {
    attempts: 1,
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 24 * 3600, count: 10_000 },
  },
});

/** Endpoints, the outbox messaging writes into, the log: what both processes need. */
@Module({
  imports: [MessagingModule, WebhookDeliveryQueue],
  providers: [
    WebhookEndpointRepository,
    WebhookEventRepository,
    WebhookDeliveryRepository,
    WebhookSecretCipher,
    WebhookUrlPolicy,
    WebhookSubscriptions,
    WebhookOutbox,
    MessageWebhooksHook,
    WebhookEndpointsService,
    WebhookDeliveriesService,
  ],
  exports: [
    WebhookDeliveryQueue,
    WebhookEndpointRepository,
    WebhookEventRepository,
    WebhookDeliveryRepository,
    WebhookSecretCipher,
    WebhookOutbox,
    WebhookEndpointsService,
    WebhookDeliveriesService,
  ],
})
export class WebhooksModule {}
