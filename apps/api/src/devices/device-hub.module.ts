import { Module } from '@nestjs/common';
import { DevicesModule } from '@app/devices';
import { DeviceSocketHub } from './device-socket-hub';
import { DevicesGateway } from './devices.gateway';

/**
 * Every phone connection of an API instance, whatever its transport: `/ws/devices` (here) and the
 * SMS Gateway app's event stream (MobileModule's controller hands streams to the hub).
 */
@Module({
  imports: [DevicesModule],
  providers: [DeviceSocketHub, DevicesGateway],
  exports: [DeviceSocketHub],
})
export class DeviceHubModule {}
