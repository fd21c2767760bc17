import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@app/auth';
import { AuthenticatedDevice, SmsGatewaySettingsService } from '@app/devices';
import { requestOrigin } from '../http/request-origin';
import { CurrentDevice } from './current-device.decorator';
import { MobileDeviceGuard } from './mobile-device.guard';
import { MOBILE_API_PREFIX } from './mobile-paths';
import { SmsGatewayWebhookView } from './mobile-settings.views';

@ApiTags('mobile')
@ApiBearerAuth()
@Public()
@UseGuards(MobileDeviceGuard)
@Controller(`${MOBILE_API_PREFIX}/webhooks`)
export class MobileWebhooksController {
  constructor(private readonly settings: SmsGatewaySettingsService) {}

  @Get()
  @ApiOperation({
    summary: 'Webhooks for the SMS Gateway for Android app',
    description:
      "Switchboard's own endpoints for this device's `sms:received` and `system:ping`, signed with the key of GET /settings. URLs start with MOBILE_PUBLIC_URL, else with the origin this request reached (mind TRUST_PROXY behind a proxy): the release app posts to https:// or http://127.0.0.1 only.",
  })
  @ApiOkResponse({ type: SmsGatewayWebhookView, isArray: true })
  @ApiBadRequestResponse({ description: 'MOBILE_ORIGIN_UNKNOWN' })
  @ApiUnauthorizedResponse({ description: 'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID' })
  list(
    @CurrentDevice() device: AuthenticatedDevice,
    @Req() request: Request,
  ): SmsGatewayWebhookView[] {
    return this.settings.webhooksFor(device, requestOrigin(request));
  }
}
