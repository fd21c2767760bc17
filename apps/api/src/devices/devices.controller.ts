import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { NotFoundAppException, Page, PaginationQueryDto } from '@app/core';
import {
  CreateDeviceDto,
  CreatedDeviceView,
  DeviceErrorCode,
  DeviceView,
  DevicesService,
  UpdateDeviceDto,
} from '@app/devices';
import { ApiPage } from '../openapi/api-page.decorator';
import { PhoneFacingUrls } from './phone-facing-urls';

const DEVICE_ID_PARAM = { name: 'id', example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4' };
// An id that is not even a UUID names no device: the same 404 as any other unknown id.
const deviceIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundAppException(DeviceErrorCode.NotFound, 'No such device.'),
});

@ApiTags('devices')
@Controller('devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly phoneFacingUrls: PhoneFacingUrls,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register an Android phone',
    description:
      'Answers the token the phone connects with (`Authorization: Bearer <token>`) and where it connects: ' +
      'the API URL for the SMS Gateway for Android app and the WebSocket URL for a custom app, on MOBILE_PUBLIC_URL ' +
      'when set, else on the origin this request reached. ' +
      'The answer is the only time the token is shown: only its hash is stored. At most 100 devices per account.',
  })
  @ApiCreatedResponse({ type: CreatedDeviceView })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, MOBILE_ORIGIN_UNKNOWN' })
  @ApiConflictResponse({ description: 'DEVICE_LIMIT_REACHED' })
  create(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() body: CreateDeviceDto,
    @Req() request: Request,
  ): Promise<CreatedDeviceView> {
    return this.devices.create(caller.accountId, body, this.phoneFacingUrls.for(request));
  }

  @Get()
  @ApiOperation({
    summary: "The caller's phones, newest first, with their live state",
    description:
      'online, battery, charging, signal, model, versions, phone number, messages in flight, sent in the last minute, last seen.',
  })
  @ApiPage(DeviceView)
  list(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<DeviceView>> {
    return this.devices.list(caller.accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One phone, with its live state' })
  @ApiParam(DEVICE_ID_PARAM)
  @ApiOkResponse({ type: DeviceView })
  @ApiNotFoundResponse({ description: "DEVICE_NOT_FOUND (also for another account's device)" })
  get(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id', deviceIdPipe) id: string,
  ): Promise<DeviceView> {
    return this.devices.get(caller.accountId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename, enable or disable a phone, or change its send rate',
    description:
      'A disabled phone stays connected but is given nothing new to send. `sendRatePerMinute: null` returns to the server default.',
  })
  @ApiParam(DEVICE_ID_PARAM)
  @ApiOkResponse({ type: DeviceView })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
  update(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id', deviceIdPipe) id: string,
    @Body() body: UpdateDeviceDto,
  ): Promise<DeviceView> {
    return this.devices.update(caller.accountId, id, body);
  }

  @Post(':id/token')
  @ApiOperation({
    summary: "Replace a phone's token",
    description:
      'For a token that may have leaked: the answer shows the new token once (with where to connect, as when the phone was added); the old token stops working at once and the phone is disconnected (close code 4003), so messages it held go to other phones. A phone running SMS Gateway for Android also gets a new webhook signing key when it next reads its settings; until then its signed webhooks are refused.',
  })
  @ApiParam(DEVICE_ID_PARAM)
  @ApiCreatedResponse({ type: CreatedDeviceView })
  @ApiBadRequestResponse({ description: 'MOBILE_ORIGIN_UNKNOWN' })
  @ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
  replaceToken(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id', deviceIdPipe) id: string,
    @Req() request: Request,
  ): Promise<CreatedDeviceView> {
    return this.devices.replaceToken(caller.accountId, id, this.phoneFacingUrls.for(request));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a phone',
    description:
      'Revokes its token at once and closes its socket (close code 4003). Messages it held go to other phones; messages it carried keep naming it.',
  })
  @ApiParam(DEVICE_ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
  async remove(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id', deviceIdPipe) id: string,
  ): Promise<void> {
    await this.devices.remove(caller.accountId, id);
  }
}
