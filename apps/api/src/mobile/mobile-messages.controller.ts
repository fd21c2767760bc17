import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AuthenticatedDevice } from '@app/devices';
import { CurrentDevice } from './current-device.decorator';
import { MobileDeviceGuard } from './mobile-device.guard';
import { AppMessageStatePatch, AppMessageView, AppMessagesQuery } from './mobile-messages.dto';
import { MobileMessagesService } from './mobile-messages.service';
import { MOBILE_API_PREFIX } from './mobile-paths';

/** The app's message calls: pull what was routed to this phone, report what became of it. */
@ApiTags('mobile (SMS Gateway for Android app)')
@Public()
@UseGuards(MobileDeviceGuard)
@ApiUnauthorizedResponse({ description: 'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID' })
@Controller(`${MOBILE_API_PREFIX}/message`)
export class MobileMessagesController {
  constructor(private readonly messages: MobileMessagesService) {}

  @Get()
  @ApiOperation({
    summary: 'The messages routed to this phone, at most 100',
    description:
      "Pulling a message is the phone's ack: from the first pull it has DEVICE_RESULT_TIMEOUT_MS to report a result, or the message goes to another phone. A message pulled again (the answer was lost) is given again.",
  })
  @ApiOkResponse({ type: [AppMessageView] })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED (order is not lifo or fifo)' })
  pull(
    @CurrentDevice() device: AuthenticatedDevice,
    @Query() query: AppMessagesQuery,
  ): Promise<AppMessageView[]> {
    return this.messages.pull(device, query.order ?? 'fifo');
  }

  @Patch()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Report the state of messages',
    description:
      "`Pending`/`Processed`: the phone has it (an ack). `Sent` → sent, `Delivered` → delivered, `Failed` → failed (or undelivered after sent), with the recipient's error. Statuses only move forward; repeating a state changes nothing; messages never given to this phone are ignored.",
  })
  @ApiBody({ type: [AppMessageStatePatch] })
  @ApiNoContentResponse({ description: 'Recorded.' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  async report(@CurrentDevice() device: AuthenticatedDevice, @Body() body: unknown): Promise<void> {
    await this.messages.report(device, body);
  }
}
