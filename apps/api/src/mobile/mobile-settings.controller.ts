import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AuthenticatedDevice, SmsGatewaySettingsService } from '@app/devices';
import { CurrentDevice } from './current-device.decorator';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MOBILE_API_PREFIX } from './mobile-paths';
import { SmsGatewaySettingsView } from './mobile-settings.views';

@ApiTags('mobile')
@ApiBearerAuth()
@Public()
@UseGuards(MobileDeviceGuard)
@Controller(`${MOBILE_API_PREFIX}/settings`)
export class MobileSettingsController {
  constructor(private readonly settings: SmsGatewaySettingsService) {}

  @Get()
  @ApiOperation({
    summary: 'Settings for the SMS Gateway for Android app',
    description:
      'What the app imports on start and once a day (docs/android.md): SSE only, a ping interval, and the key this device signs its webhooks with (made on first call).',
  })
  @ApiOkResponse({ type: SmsGatewaySettingsView })
  @ApiUnauthorizedResponse({ description: 'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID' })
  get(@CurrentDevice() device: AuthenticatedDevice): Promise<SmsGatewaySettingsView> {
    return this.settings.settingsFor(device);
  }
}
