import { Controller, Get, Headers, Res, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { AuthenticatedDevice } from '@app/devices';
import { DeviceSocketHub } from '../devices/device-socket-hub';
import { appVersionOf } from './app-version';
import { CurrentDevice } from './current-device.decorator';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MOBILE_API_PREFIX } from './mobile-paths';

/** The app's "SSE only" wake-up stream: the phone is online while it is open. */
@ApiTags('mobile (SMS Gateway for Android app)')
@Public()
@UseGuards(MobileDeviceGuard)
@Controller(MOBILE_API_PREFIX)
export class MobileEventsController {
  constructor(private readonly hub: DeviceSocketHub) {}

  @Get('events')
  @ApiOperation({
    summary: 'Server-Sent Events that wake the app',
    description:
      'While open, the phone is online and may be given messages, like a socket on /ws/devices. `event: MessageEnqueued` (data `{}`) means messages wait: the app pulls them with `GET /message`. Comments (`: keepalive`) go out every DEVICE_HEARTBEAT_MS. A newer stream of the same phone closes the older one; deleting the device closes it.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream (text/event-stream).' })
  @ApiUnauthorizedResponse({ description: 'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID' })
  async events(
    @CurrentDevice() device: AuthenticatedDevice,
    @Headers('user-agent') userAgent: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    await this.hub.openEventStream(device, response, appVersionOf(userAgent));
  }
}
