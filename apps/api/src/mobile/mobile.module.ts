import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { DevicesModule } from '@app/devices';
import { MessagingModule } from '@app/messaging';
import { ClientApiAuthGuard } from './client-api/client-api-auth.guard';
import { ClientApiController, LegacyClientApiController } from './client-api/client-api.controller';
import { SmsGatewayInboundController } from '../webhooks/sms-gateway-inbound.controller';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MobileSettingsController } from './mobile-settings.controller';
import { MobileWebhooksController } from './mobile-webhooks.controller';

/**
 * The server side of the SMS Gateway for Android app (docs/android.md): its mobile API under
 * `/api/mobile/v1` and its client API under `/3rdparty/v1`. Controllers stay thin; the device
 * model, routing and inbound pipeline are the libs' own.
 */
@Module({
  imports: [AuthModule, DevicesModule, MessagingModule],
  controllers: [
    ClientApiController,
    LegacyClientApiController,
    MobileSettingsController,
    MobileWebhooksController,
    SmsGatewayInboundController,
  ],
  providers: [MobileDeviceGuard, ClientApiAuthGuard],
})
export class MobileModule {}
