import { HttpStatus, Injectable } from '@nestjs/common';
import { AppException } from '@app/core';
import { AuthenticatedDevice, DeviceSessionsService, DevicesService } from '@app/devices';
import { parseAppBody } from './app-body';
import {
  AppPatchDeviceBody,
  AppRegisterDeviceBody,
  AppRegisteredDeviceView,
  AppSimCard,
} from './mobile-device.dto';

/**
 * The app's device calls. Registering does not create a device: the device (and its token) was
 * made with `POST /api/v1/devices`; the app proves it holds the token and is told to keep it.
 * Registering again with the same token answers the same device.
 */
@Injectable()
export class MobileDeviceService {
  constructor(
    private readonly sessions: DeviceSessionsService,
    private readonly devices: DevicesService,
  ) {}

  async register(
    device: AuthenticatedDevice,
    token: string,
    body: unknown,
    appVersion: string | null,
  ): Promise<AppRegisteredDeviceView> {
    const request = parseAppBody(AppRegisterDeviceBody, body);
    await this.sessions.describe(device.id, { model: request.name, appVersion });
    await this.simCardsReported(device, request.simCards ?? null);
    return { id: device.id, token, login: device.id };
  }

  /** The app sends its own id back; a phone may only update itself. */
  async update(
    device: AuthenticatedDevice,
    body: unknown,
    appVersion: string | null,
  ): Promise<void> {
    const request = parseAppBody(AppPatchDeviceBody, body);
    if (request.id !== device.id) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'DEVICE_ID_MISMATCH',
        'The id is not the id of the device the token belongs to.',
      );
    }
    await this.sessions.describe(device.id, { appVersion });
    await this.simCardsReported(device, request.simCards ?? null);
  }

  /**
   * The SIM cards the app reports are the device's (multi-SIM routing and per-SIM rates use
   * them); a call without `simCards` leaves those last reported as they were.
   */
  private async simCardsReported(
    device: AuthenticatedDevice,
    simCards: AppSimCard[] | null,
  ): Promise<void> {
    if (simCards === null) return;
    await this.devices.recordSimCards(device.id, simCards);
  }
}
