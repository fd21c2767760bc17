import { Module } from '@nestjs/common';
import { DevicesModule } from '@app/devices';
import { MobileDeviceGuard } from './mobile-device.guard';

/**
 * The server side of the SMS Gateway for Android app (docs/android.md): its mobile API under
 * `/api/mobile/v1` and its client API under `/3rdparty/v1`. Controllers stay thin; the device
 * model, routing and inbound pipeline are the libs' own.
 */
@Module({
  imports: [DevicesModule],
  controllers: [],
  providers: [MobileDeviceGuard],
})
export class MobileModule {}
