import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@app/auth';
import { SMS_GATEWAY_WEBHOOKS_PATH, SmsGatewayWebhooksService } from '@app/devices';

@ApiTags('webhooks')
@Public()
@Controller(SMS_GATEWAY_WEBHOOKS_PATH)
export class SmsGatewayInboundController {
  constructor(private readonly webhooks: SmsGatewayWebhooksService) {}

  @Post(':deviceId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Webhooks of a phone running SMS Gateway for Android',
    description:
      'The app is given this URL by GET /api/mobile/v1/webhooks. `X-Signature` is the hex HMAC-SHA256 of the body followed by `X-Timestamp` (Unix seconds), keyed with the device’s signing key; the timestamp must be within 5 minutes, and one signed request is taken once. `sms:received` enters the inbound pipeline once per the app’s message id; `system:ping` updates the device’s battery and charging; other events are accepted and ignored.',
  })
  @ApiParam({ name: 'deviceId', example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4' })
  @ApiConsumes('application/json')
  @ApiNoContentResponse({ description: 'Taken (also a retry of a text already stored).' })
  @ApiBadRequestResponse({ description: 'SMS_GATEWAY_PAYLOAD_INVALID' })
  @ApiUnauthorizedResponse({
    description:
      'SMS_GATEWAY_SIGNATURE_MISSING, SMS_GATEWAY_SIGNATURE_INVALID (also an unknown or deleted device), SMS_GATEWAY_TIMESTAMP_STALE',
  })
  @ApiConflictResponse({ description: 'SMS_GATEWAY_WEBHOOK_REPLAYED' })
  async receive(@Param('deviceId') deviceId: string, @Req() request: Request): Promise<void> {
    await this.webhooks.accept({
      deviceId,
      signature: request.header('x-signature'),
      timestamp: request.header('x-timestamp'),
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    });
  }
}
