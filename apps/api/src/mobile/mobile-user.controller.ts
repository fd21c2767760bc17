import { Controller, Get, HttpStatus, Patch, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AppException } from '@app/core';
import { MobileDeviceGuard, appLoginNotSupported } from './mobile-device.guard';
import { MOBILE_API_PREFIX } from './mobile-paths';

/**
 * The app's account calls. Its own server has a user per phone, with a login, a password and
 * one-time codes to add more phones; here a phone is a device of a Switchboard account, with a
 * token, so both calls answer a problem the app shows as an error message. Left out of the
 * OpenAPI document, which lists what succeeds; docs/device-protocol.md#transports names them.
 */
@ApiExcludeController()
@Public()
@Controller(`${MOBILE_API_PREFIX}/user`)
export class MobileUserController {
  /** `401 APP_LOGIN_NOT_SUPPORTED`: phones are added with `POST /api/v1/devices` and its token. */
  @Get('code')
  code(): never {
    throw appLoginNotSupported();
  }

  /** `403 APP_PASSWORD_NOT_SUPPORTED` (after the token check): a phone has a token, no password. */
  @Patch('password')
  @UseGuards(MobileDeviceGuard)
  password(): never {
    throw new AppException(
      HttpStatus.FORBIDDEN,
      'APP_PASSWORD_NOT_SUPPORTED',
      'This server gives phones a token, not a password; there is no password to change.',
    );
  }
}
