import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { AppException } from '@app/core';
import { AuthenticatedDevice, DeviceSessionsService } from '@app/devices';

export const AUTHENTICATED_DEVICE = Symbol('authenticated device');
export type RequestWithDevice = Request & { [AUTHENTICATED_DEVICE]?: AuthenticatedDevice };

export const MobileErrorCode = {
  DeviceTokenRequired: 'DEVICE_TOKEN_REQUIRED',
  DeviceTokenInvalid: 'DEVICE_TOKEN_INVALID',
  /** The app's "login and password" or "one-time code" registration: there are no such users. */
  AppLoginNotSupported: 'APP_LOGIN_NOT_SUPPORTED',
} as const;

/**
 * The app's calls carry `Authorization: Bearer <device token>` (the token `POST /api/v1/devices`
 * showed once). An unknown, malformed or revoked token answers 401, which the app shows as
 * "unauthorized" and stops polling with.
 */
@Injectable()
export class MobileDeviceGuard implements CanActivate {
  constructor(private readonly sessions: DeviceSessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithDevice>();
    const token = bearerTokenOf(request.headers.authorization);
    if (!token && /^(Basic|Code)\s/i.test(request.headers.authorization ?? '')) {
      throw appLoginNotSupported();
    }
    if (!token) {
      throw new AppException(
        HttpStatus.UNAUTHORIZED,
        MobileErrorCode.DeviceTokenRequired,
        'Send the device token as "Authorization: Bearer <token>".',
        { headers: { 'WWW-Authenticate': 'Bearer' } },
      );
    }
    const device = await this.sessions.authenticate(token);
    if (!device) {
      throw new AppException(
        HttpStatus.UNAUTHORIZED,
        MobileErrorCode.DeviceTokenInvalid,
        'The device token is unknown or was revoked.',
        { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
      );
    }
    request[AUTHENTICATED_DEVICE] = device;
    return true;
  }
}

/**
 * Switchboard has no user login for the app: a phone is registered with the device token that
 * `POST /api/v1/devices` shows, pasted into the app as its "Private Token".
 */
export function appLoginNotSupported(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    MobileErrorCode.AppLoginNotSupported,
    'This server has no login or one-time codes: in the app, enter the device token from "POST /api/v1/devices" as the Private Token.',
    { headers: { 'WWW-Authenticate': 'Bearer' } },
  );
}

export function bearerTokenOf(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
