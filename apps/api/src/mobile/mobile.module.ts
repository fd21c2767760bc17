import { Module } from '@nestjs/common';
import { DevicesModule } from '@app/devices';
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
  imports: [DevicesModule],
  controllers: [MobileSettingsController, MobileWebhooksController, SmsGatewayInboundController],
  providers: [MobileDeviceGuard],
})
export class MobileModule {}
