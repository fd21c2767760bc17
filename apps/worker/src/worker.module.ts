import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import {
  AppConfigModule,
  DatabaseModule,
  LoggingModule,
  QueueName,
  QueueRootModule,
  RedisModule,
} from '@app/core';
import { AuthModule } from '@app/auth';
import { DeviceRouteModule } from '@app/devices';
import { MessageDispatchModule } from '@app/messaging';
import { WebhookDeliveryModule } from '@app/webhooks';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { MessageDispatchProcessor } from './processors/message-dispatch.processor';
import { WebhookDeliveryProcessor } from './processors/webhook-delivery.processor';

@Module({
  imports: [
    AppConfigModule.forRoot(),
    LoggingModule,
    DatabaseModule,
    RedisModule,
    QueueRootModule,
    BullModule.registerQueue({ name: QueueName.Maintenance }),
    MessageDispatchModule,
    DeviceRouteModule,
    WebhookDeliveryModule,
    // For housekeeping only (purging ended sign-in sessions).
    AuthModule,
  ],
  providers: [MessageDispatchProcessor, MaintenanceProcessor, WebhookDeliveryProcessor],
})
export class WorkerModule {}
