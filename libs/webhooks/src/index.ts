// What the apps use of the webhooks lib.
export { WebhooksModule } from './webhooks.module';
export { WebhookDeliveryModule } from './webhook-delivery.module';
export { DeviceWebhooksModule } from './device-webhooks.hook';
export { WebhookEndpointsService } from './webhook-endpoints.service';
export { WebhookDeliveriesService } from './webhook-deliveries.service';
export { WebhookDeliveryService } from './webhook-delivery.service';
export type { DeliveryOutcome } from './webhook-delivery.service';
export { WebhookReconcilerService } from './webhook-reconciler.service';
export { WEBHOOK_EVENT_TYPES } from './webhook-event-types';
export type { WebhookEventType } from './webhook-event-types';
export * from './webhook.dto';
export * from './webhook-log.dto';
export { WEBHOOK_EVENT_SCHEMAS } from './webhook-event-schemas';
