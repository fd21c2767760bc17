import { Controller, Get, HttpStatus, Patch, UseGuards } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AppException } from '@app/core';
import { MobileDeviceGuard, appLoginNotSupported } from './mobile-device.guard';
import { MOBILE_API_PREFIX } from './mobile-paths';

/**
 * The app's account calls. Its own server has a user per phone, with a login, a password and
 * one-time codes to add more phones; here a phone is a device of a Switchboard account, with a
 * token, so both calls answer a problem the app shows as an error message.
 */
@ApiTags('mobile (SMS Gateway for Android app)')
@Public()
@Controller(`${MOBILE_API_PREFIX}/user`)
export class MobileUserController {
  @Get('code')
  @ApiOperation({
    summary: 'One-time code for adding a phone (not offered)',
    description:
      'Always `401 APP_LOGIN_NOT_SUPPORTED`: phones are added with `POST /api/v1/devices` and their token.',
  })
  @ApiUnauthorizedResponse({ description: 'APP_LOGIN_NOT_SUPPORTED' })
  code(): never {
    throw appLoginNotSupported();
  }

  @Patch('password')
  @UseGuards(MobileDeviceGuard)
  @ApiOperation({
    summary: "Change the app's password (not offered)",
    description:
      'A phone has a token and no password: `403 APP_PASSWORD_NOT_SUPPORTED`. To replace a token, delete the device and add it again.',
  })
  @ApiUnauthorizedResponse({ description: 'DEVICE_TOKEN_REQUIRED, DEVICE_TOKEN_INVALID' })
  @ApiForbiddenResponse({ description: 'APP_PASSWORD_NOT_SUPPORTED' })
  password(): never {
    throw new AppException(
      HttpStatus.FORBIDDEN,
      'APP_PASSWORD_NOT_SUPPORTED',
      'This server gives phones a token, not a password; there is no password to change.',
    );
  }
}
