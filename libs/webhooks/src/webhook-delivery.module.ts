import { Module } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookHttpClient } from './webhook-http-client';
import { WebhookReconcilerService } from './webhook-reconciler.service';
import { WebhooksModule } from './webhooks.module';

/** Sending deliveries and repairing lost jobs: what the worker process needs. */
@Module({
  imports: [WebhooksModule],
  providers: [WebhookHttpClient, WebhookDeliveryService, WebhookReconcilerService],
  exports: [WebhooksModule, WebhookDeliveryService, WebhookReconcilerService],
})
export class WebhookDeliveryModule {}
