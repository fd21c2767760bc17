import { Module } from '@nestjs/common';
import { DevicesModule } from '@app/devices';
import { DeviceHubModule } from '../devices/device-hub.module';
import { MobileDeviceController } from './mobile-device.controller';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MobileDeviceService } from './mobile-device.service';
import { MobileEventsController } from './mobile-events.controller';
import { MobileMessagesController } from './mobile-messages.controller';
import { MobileMessagesService } from './mobile-messages.service';
import { MobileUserController } from './mobile-user.controller';

/**
 * The server side of the SMS Gateway for Android app (docs/android.md): its mobile API under
 * `/api/mobile/v1` and its client API under `/3rdparty/v1`. Controllers stay thin; the device
 * model, routing and inbound pipeline are the libs' own.
 */
@Module({
  imports: [DevicesModule, DeviceHubModule],
  controllers: [
    MobileDeviceController,
    MobileMessagesController,
    MobileEventsController,
    MobileUserController,
  ],
  providers: [MobileDeviceGuard, MobileDeviceService, MobileMessagesService],
})
export class MobileModule {}
