import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Ip,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AuthenticatedDevice } from '@app/devices';
import { appVersionOf } from './app-version';
import { CurrentDevice } from './current-device.decorator';
import { MobileDeviceGuard, bearerTokenOf } from './mobile-device.guard';
import {
  AppDeviceInfoView,
  AppPatchDeviceBody,
  AppRegisterDeviceBody,
  AppRegisteredDeviceView,
} from './mobile-device.dto';
import { MobileDeviceService } from './mobile-device.service';
import { MOBILE_API_PREFIX } from './mobile-paths';

const UNAUTHORIZED =
  'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID (unknown or deleted device), APP_LOGIN_NOT_SUPPORTED (Basic or Code)';

/** The SMS Gateway for Android app's device calls (docs/android.md). */
@ApiTags('mobile (SMS Gateway for Android app)')
@Public()
@UseGuards(MobileDeviceGuard)
@Controller(MOBILE_API_PREFIX)
export class MobileDeviceController {
  constructor(private readonly devices: MobileDeviceService) {}

  @Post('device')
  @ApiOperation({
    summary: 'Register the app with a device token',
    description:
      'The app sends `Authorization: Bearer <Private Token>`: the token `POST /api/v1/devices` showed. Answers that device, and the same token for the app to use from now on; registering again answers the same device.',
  })
  @ApiBody({ type: AppRegisterDeviceBody })
  @ApiCreatedResponse({ type: AppRegisteredDeviceView })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiUnauthorizedResponse({ description: UNAUTHORIZED })
  register(
    @CurrentDevice() device: AuthenticatedDevice,
    @Headers('authorization') authorization: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Body() body: unknown,
  ): Promise<AppRegisteredDeviceView> {
    return this.devices.register(
      device,
      bearerTokenOf(authorization)!,
      body,
      appVersionOf(userAgent),
    );
  }

  @Patch('device')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Update the app's device (its push token and SIM cards)" })
  @ApiBody({ type: AppPatchDeviceBody })
  @ApiNoContentResponse({ description: 'Updated.' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiUnauthorizedResponse({ description: UNAUTHORIZED })
  @ApiForbiddenResponse({ description: 'DEVICE_ID_MISMATCH: `id` is not the caller' })
  async update(
    @CurrentDevice() device: AuthenticatedDevice,
    @Headers('user-agent') userAgent: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    await this.devices.update(device, body, appVersionOf(userAgent));
  }

  @Get('device')
  @ApiOperation({ summary: 'The address the app calls from, as this server sees it' })
  @ApiOkResponse({ type: AppDeviceInfoView })
  @ApiUnauthorizedResponse({ description: UNAUTHORIZED })
  info(@Ip() ip: string): AppDeviceInfoView {
    return { externalIp: ip };
  }
}
