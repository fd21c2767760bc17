import { ApiProperty } from '@nestjs/swagger';
import { Device } from '../device.entity';
import { DeviceLiveState, DeviceTransportKind } from '../live/device-registry';
import { SimCardView } from '../sim-cards';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A device as the API shows it: what is stored, merged with its live state. */
export class DeviceView {
  @ApiProperty({ example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4' })
  id: string;

  @ApiProperty({ example: 'Pixel 7 in the office' })
  name: string;

  @ApiProperty({
    example: true,
    description: 'A disabled device stays connected but gets nothing to send.',
  })
  enabled: boolean;

  @ApiProperty({
    example: 20,
    description:
      'Most SMS it is given in any 60 s (its own setting, or the server default); per SIM card when it reported several.',
  })
  sendRatePerMinute: number;

  @ApiProperty({ example: 'sbd_Q3x9Zt1', description: 'The first characters of its token.' })
  tokenPrefix: string;

  @ApiProperty({ example: true, description: 'Connected and has said hello.' })
  online: boolean;

  @ApiProperty({
    example: 'sse',
    enum: ['websocket', 'sse'],
    nullable: true,
    type: String,
    description:
      "How it is connected: `websocket` (/ws/devices) or `sse` (the SMS Gateway for Android app's event stream); null while offline.",
  })
  transport: DeviceTransportKind | null;

  @ApiProperty({
    example: 87,
    nullable: true,
    type: Number,
    description: 'Percent; the last known value.',
  })
  battery: number | null;

  @ApiProperty({ example: false, nullable: true, type: Boolean })
  charging: boolean | null;

  @ApiProperty({ example: 3, nullable: true, type: Number, description: 'Signal level 0–4.' })
  signal: number | null;

  @ApiProperty({
    example: 'wifi',
    nullable: true,
    type: String,
    enum: ['wifi', 'ethernet', 'cellular', 'none'],
    description: 'How the phone is connected (from SMS Gateway for Android pings).',
  })
  network: string | null;

  @ApiProperty({ example: 'Pixel 7', nullable: true, type: String })
  model: string | null;

  @ApiProperty({ example: '14', nullable: true, type: String })
  androidVersion: string | null;

  @ApiProperty({ example: '1.4.0', nullable: true, type: String })
  appVersion: string | null;

  @ApiProperty({ example: '+14155550123', nullable: true, type: String })
  phoneNumber: string | null;

  @ApiProperty({
    type: [SimCardView],
    example: [
      {
        slotIndex: 0,
        simNumber: 1,
        phoneNumber: '+14155550123',
        carrierName: 'T-Mobile',
        sentLastMinute: 9,
      },
      { slotIndex: 1, simNumber: 2, phoneNumber: null, carrierName: 'Vodafone', sentLastMinute: 5 },
    ],
    description:
      'The SIM cards it last reported (empty: it never said; it sends from its default).',
  })
  simCards: SimCardView[];

  @ApiProperty({ example: 2, description: 'Messages it holds that it has not reported on yet.' })
  inFlight: number;

  @ApiProperty({ example: 14, description: 'Messages given to it in the last 60 s.' })
  sentLastMinute: number;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z', nullable: true, type: String })
  connectedAt: string | null;

  @ApiProperty({ example: '2026-11-21T10:04:30.000Z', nullable: true, type: String })
  lastSeenAt: string | null;

  @ApiProperty({ example: '2026-11-20T09:00:00.000Z' })
  createdAt: string;

  static from(
    device: Device,
    live: DeviceLiveState | undefined,
    defaultSendRate: number,
  ): DeviceView {
    const online = live?.online ?? false;
    // While connected the phone's own words are the freshest; otherwise what it said last.
    const pick = <T>(liveValue: T | null | undefined, stored: T | null): T | null =>
      live?.connectedAt && liveValue !== null && liveValue !== undefined ? liveValue : stored;
    return {
      id: device.id,
      name: device.name,
      enabled: device.enabled,
      sendRatePerMinute: device.sendRatePerMinute ?? defaultSendRate,
      tokenPrefix: device.tokenPrefix,
      online,
      transport: live?.transport ?? null,
      battery: pick(live?.battery, device.battery),
      charging: pick(live?.charging, device.charging),
      signal: pick(live?.signal, device.signal),
      network: pick(live?.network, device.network),
      model: pick(live?.model, device.model),
      androidVersion: pick(live?.androidVersion, device.androidVersion),
      appVersion: pick(live?.appVersion, device.appVersion),
      phoneNumber: pick(live?.phoneNumber, device.phoneNumber),
      simCards: (device.simCards ?? []).map((card) => ({
        ...card,
        sentLastMinute: live?.sentLastMinuteBySim.get(card.simNumber) ?? 0,
      })),
      inFlight: live?.inFlight ?? 0,
      sentLastMinute: live?.sentLastMinute ?? 0,
      connectedAt: iso(live?.connectedAt ?? null),
      lastSeenAt: iso(live?.lastSeenAt ?? device.lastSeenAt),
      createdAt: device.createdAt.toISOString(),
    };
  }
}

/** Where the new phone connects: MOBILE_PUBLIC_URL's origin when set, else the one called. */
export class DeviceConnectUrls {
  @ApiProperty({
    example: 'https://sms.example.com/api/mobile/v1',
    description: 'The "API URL" to enter in the SMS Gateway for Android app (docs/android.md).',
  })
  smsGatewayApiUrl: string;

  @ApiProperty({
    example: 'wss://sms.example.com/ws/devices',
    description: 'Where a custom app opens its WebSocket (docs/device-protocol.md).',
  })
  webSocketUrl: string;
}

export class CreatedDeviceView extends DeviceView {
  @ApiProperty({
    example: 'sbd_Q3x9Zt1kP0mYc2n8R4vW6bL1sJ5hT7gF9dA3eK0uQ2w',
    description:
      'The token the phone connects with (Authorization: Bearer …). Shown this once: only its hash is stored.',
  })
  token: string;

  @ApiProperty({ type: DeviceConnectUrls })
  connect: DeviceConnectUrls;
}
