import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DeviceSimulator, SimulatedPhone, SimulatedPhoneOptions } from '../fakes/device-simulator';
import { urlOf } from './test-app';

export interface CreatedDevice {
  id: string;
  token: string;
  name: string;
}

let sequence = 0;

/** A device made through the Devices API, as a user would (the token is only shown here). */
export async function createDevice(
  app: INestApplication,
  headers: Record<string, string>,
  body: { name?: string; sendRatePerMinute?: number } = {},
): Promise<CreatedDevice> {
  const response = await request(app.getHttpServer())
    .post('/api/v1/devices')
    .set(headers)
    .send({ name: body.name ?? `Test phone ${++sequence}`, ...body });
  if (response.status !== 201) {
    throw new Error(`POST /devices answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return { id: response.body.id, token: response.body.token, name: response.body.name };
}

/** ws://…/ws/devices of a test app. */
export function devicesUrl(app: NestExpressApplication): string {
  return `${urlOf(app).replace(/^http/, 'ws')}/ws/devices`;
}

/** A simulated phone for a device of a test app (not connected yet). */
export function phoneFor(
  app: NestExpressApplication,
  device: CreatedDevice,
  options: Partial<SimulatedPhoneOptions> = {},
): SimulatedPhone {
  return new SimulatedPhone({
    url: devicesUrl(app),
    token: device.token,
    label: device.name,
    ...options,
  });
}

/** `count` devices of the account, each with a connected simulated phone. */
export async function connectPhones(
  app: NestExpressApplication,
  headers: Record<string, string>,
  count: number,
  options: Partial<SimulatedPhoneOptions> = {},
): Promise<{ devices: CreatedDevice[]; simulator: DeviceSimulator }> {
  const devices: CreatedDevice[] = [];
  for (let index = 0; index < count; index++) devices.push(await createDevice(app, headers));
  const simulator = await DeviceSimulator.start({
    url: devicesUrl(app),
    ...options,
    tokens: devices.map((device) => device.token),
  });
  return { devices, simulator };
}
