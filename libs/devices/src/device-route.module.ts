import { Module } from '@nestjs/common';
import { ClockModule } from '@app/core';
import { MessageDispatchModule } from '@app/messaging';
import { DeviceChannel } from './live/device-channel';
import { DeviceRegistry } from './live/device-registry';
import { DeviceDeadlineSweeper } from './routing/device-deadline-sweeper';
import { DeviceRoute } from './routing/device.route';

/**
 * Phones as the worker sees them: the `device` route (registered with messaging's RouteRegistry
 * on start-up) and the sweeper that re-routes what phones do not answer for.
 */
@Module({
  imports: [MessageDispatchModule, ClockModule],
  providers: [DeviceRegistry, DeviceChannel, DeviceRoute, DeviceDeadlineSweeper],
  exports: [DeviceRoute, DeviceDeadlineSweeper],
})
export class DeviceRouteModule {}
