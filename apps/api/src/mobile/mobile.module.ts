import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { DevicesModule } from '@app/devices';
import { MessagingModule } from '@app/messaging';
import { ClientApiAuthGuard } from './client-api/client-api-auth.guard';
import { ClientApiController, LegacyClientApiController } from './client-api/client-api.controller';
import { SmsGatewayInboundController } from '../webhooks/sms-gateway-inbound.controller';
import { DeviceHubModule } from '../devices/device-hub.module';
import { MobileDeviceController } from './mobile-device.controller';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MobileDeviceService } from './mobile-device.service';
import { MobileEventsController } from './mobile-events.controller';
import { MobileMessagesController } from './mobile-messages.controller';
import { MobileMessagesService } from './mobile-messages.service';
import { MobileSettingsController } from './mobile-settings.controller';
import { MobileUserController } from './mobile-user.controller';
import { MobileWebhooksController } from './mobile-webhooks.controller';

/**
 * The server side of the SMS Gateway for Android app (docs/android.md): its mobile API under
 * `/api/mobile/v1` and its client API under `/3rdparty/v1`. Controllers stay thin; the device
 * model, routing and inbound pipeline are the libs' own.
 */
@Module({
  imports: [AuthModule, DevicesModule, DeviceHubModule, MessagingModule],
  controllers: [
    MobileDeviceController,
    MobileMessagesController,
    MobileEventsController,
    MobileSettingsController,
    MobileWebhooksController,
    MobileUserController,
    SmsGatewayInboundController,
    ClientApiController,
    LegacyClientApiController,
  ],
  providers: [MobileDeviceGuard, MobileDeviceService, MobileMessagesService, ClientApiAuthGuard],
})
export class MobileModule {}
