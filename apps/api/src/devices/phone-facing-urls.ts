import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '@app/core';
import { DeviceConnectUrls } from '@app/devices';
import { requestOrigin } from '../http/request-origin';
import { MOBILE_API_PREFIX } from '../mobile/mobile-paths';
import { DEVICE_SOCKET_PATH } from './device-socket-path';

/**
 * What a new phone is told to connect to. MOBILE_PUBLIC_URL wins: the browser that adds a phone
 * may reach the server as localhost while the phone needs its public (HTTPS) name.
 */
@Injectable()
export class PhoneFacingUrls {
  private readonly publicUrl: string | undefined;

  constructor(config: AppConfig) {
    this.publicUrl = config.get('MOBILE_PUBLIC_URL');
  }

  for(request: Request): DeviceConnectUrls {
    const base = this.publicUrl ?? requestOrigin(request);
    return {
      smsGatewayApiUrl: `${base}/${MOBILE_API_PREFIX}`,
      webSocketUrl: `${base.replace(/^http/, 'ws')}${DEVICE_SOCKET_PATH}`,
    };
  }
}
