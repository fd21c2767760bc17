import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { IsNull, Repository } from 'typeorm';
import { Clock, REDIS_CLIENT, RedisKeys, toE164 } from '@app/core';
import { Device } from '../device.entity';
import { DeviceReportsService } from '../device-reports.service';
import { DevicesService } from '../devices.service';
import { DeviceRegistry, PresenceFields } from '../live/device-registry';
import { MAX_SIM_NUMBER } from '../sim-cards';
import { SigningDevice, DeviceSigningKeys } from './device-signing-keys.service';
import {
  payloadInvalid,
  signatureInvalid,
  signatureMissing,
  timestampStale,
  webhookReplayed,
} from './sms-gateway-errors';
import { isSmsGatewaySignatureValid } from './sms-gateway-signature';
import { HealthReport, statusOfHealth } from './sms-gateway-ping';

/** How far X-Timestamp may be from the server's clock, either way (phones' clocks drift). */
export const SMS_GATEWAY_TIMESTAMP_WINDOW_SECONDS = 300;
// Longer than any signature stays fresh: accepted at t-W at the earliest, fresh until t+W.
const SEEN_SIGNATURE_TTL_MS = 2 * SMS_GATEWAY_TIMESTAMP_WINDOW_SECONDS * 1000;
// The app retries a failed ping with the same event id; a late copy must not undo a newer one.
const SEEN_PING_TTL_MS = 24 * 3600 * 1000;
const MAX_TEXT_LENGTH = 40_000;

export interface SmsGatewayWebhookRequest {
  deviceId: string;
  signature: string | undefined;
  timestamp: string | undefined;
  /** The body exactly as received: the signature covers its bytes. */
  body: Buffer;
}

/** `stored`/`duplicate`: a received text; `status`: a ping; `ignored`: an event not asked for. */
export type SmsGatewayWebhookOutcome =
  | { kind: 'stored' | 'duplicate'; messageId: string }
  | { kind: 'status' | 'ignored' };

/** The app's webhook envelope (WebHookEventDTO as Gson writes it). */
interface WebhookEnvelope {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

/**
 * The signed webhooks of a phone running SMS Gateway for Android (docs/architecture.md#inbound):
 * checked (signature with the device's key, timestamp within the window, never the same signed
 * request twice), then a received text enters the inbound pipeline exactly like a `/ws/devices`
 * inbound frame (once per the app's message id), and a ping updates the device's live status.
 */
@Injectable()
export class SmsGatewayWebhooksService {
  constructor(
    private readonly signingKeys: DeviceSigningKeys,
    private readonly reports: DeviceReportsService,
    private readonly registry: DeviceRegistry,
    private readonly devicesService: DevicesService,
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  async accept(request: SmsGatewayWebhookRequest): Promise<SmsGatewayWebhookOutcome> {
    const device = await this.verify(request);
    const envelope = envelopeOf(request.body);
    switch (envelope.event) {
      case 'sms:received':
        return this.receiveText(device, envelope.payload);
      case 'system:ping':
        return this.applyPing(device, envelope);
      default:
        // Not one GET /webhooks lists (sms:sent and the like come through PATCH /message).
        return { kind: 'ignored' };
    }
  }

  /** Cheap checks first; the replay mark only once the request is known to be the phone's. */
  private async verify(request: SmsGatewayWebhookRequest): Promise<SigningDevice> {
    const { signature, timestamp } = request;
    if (!signature || !timestamp) throw signatureMissing();
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (
      !/^\d{1,12}$/.test(timestamp) ||
      Math.abs(nowSeconds - Number(timestamp)) > SMS_GATEWAY_TIMESTAMP_WINDOW_SECONDS
    ) {
      throw timestampStale(SMS_GATEWAY_TIMESTAMP_WINDOW_SECONDS);
    }
    const device = await this.signingKeys.signingDevice(request.deviceId);
    if (
      !device ||
      !isSmsGatewaySignatureValid(device.signingKey, request.body, timestamp, signature)
    ) {
      throw signatureInvalid();
    }
    // The app signs every attempt afresh (new timestamp), so a second copy of one signature is
    // someone else sending a captured request again.
    const first = await this.redis.set(
      this.keys.key('sms-gateway', 'signatures', device.id, signature.toLowerCase()),
      '1',
      'PX',
      SEEN_SIGNATURE_TTL_MS,
      'NX',
    );
    if (first !== 'OK') throw webhookReplayed();
    return device;
  }

  private async receiveText(
    device: SigningDevice,
    payload: Record<string, unknown>,
  ): Promise<SmsGatewayWebhookOutcome> {
    const messageId = text(payload, 'messageId', 128);
    const sender = text(payload, 'sender', 64);
    const body = text(payload, 'message', MAX_TEXT_LENGTH, true);
    const receivedAt = dateOf(payload, 'receivedAt');
    const recipient = optionalText(payload, 'recipient', 64);
    // Which SIM it arrived on; a value no SIM could have is dropped rather than the text refused.
    const simNumber =
      Number.isInteger(payload.simNumber) &&
      (payload.simNumber as number) >= 1 &&
      (payload.simNumber as number) <= MAX_SIM_NUMBER
        ? (payload.simNumber as number)
        : undefined;
    // The receiving SIM's number when Android knows it, else the number the device gave.
    const to = (recipient ? toE164(recipient) : null) ?? device.phoneNumber;
    const received = await this.reports.receive(
      device,
      {
        type: 'inbound',
        // The app's id is a 32-bit hash of the text; with its time, two texts never share one.
        id: `sms-gateway:${messageId}:${receivedAt.getTime()}`,
        from: sender,
        body,
        receivedAt: receivedAt.toISOString(),
        simNumber,
      },
      to,
    );
    return { kind: received.duplicate ? 'duplicate' : 'stored', messageId: received.messageId };
  }

  private async applyPing(
    device: SigningDevice,
    envelope: WebhookEnvelope,
  ): Promise<SmsGatewayWebhookOutcome> {
    const status = statusOfHealth(envelope.payload.health as HealthReport | undefined);
    const firstCopy = await this.redis.set(
      this.keys.key('sms-gateway', 'pings', device.id, envelope.id),
      '1',
      'PX',
      SEEN_PING_TTL_MS,
      'NX',
    );
    if (firstCopy !== 'OK') return { kind: 'ignored' };
    const stored = await this.devices.findOne({
      where: { id: device.id, deletedAt: IsNull() },
      select: { id: true, battery: true },
    });
    if (!stored) throw signatureInvalid();
    const fields: PresenceFields = {};
    if (status.battery !== undefined) fields.battery = status.battery;
    if (status.charging !== undefined) fields.charging = status.charging;
    if (status.network !== undefined) fields.network = status.network;
    if (status.appVersion !== undefined) fields.appVersion = status.appVersion;
    const now = this.clock.now();
    await this.registry.amendPresence(device.id, fields);
    await this.devices.update(
      { id: device.id },
      {
        ...(status.battery !== undefined ? { battery: status.battery } : {}),
        ...(status.charging !== undefined ? { charging: status.charging } : {}),
        ...(status.network !== undefined ? { network: status.network } : {}),
        ...(status.appVersion !== undefined ? { appVersion: status.appVersion } : {}),
        lastSeenAt: now,
      },
    );
    await this.devicesService.publishUpdated(device.id, {
      kind: 'status',
      previousBattery: stored.battery,
    });
    return { kind: 'status' };
  }
}

function envelopeOf(body: Buffer): WebhookEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw payloadInvalid('The body is not JSON.');
  }
  if (!isObject(parsed)) throw payloadInvalid('The body must be a JSON object.');
  const id = text(parsed, 'id', 128);
  const event = text(parsed, 'event', 64);
  if (!isObject(parsed.payload)) throw payloadInvalid('payload must be an object.');
  return { id, event, payload: parsed.payload };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(
  from: Record<string, unknown>,
  field: string,
  maxLength: number,
  mayBeEmpty = false,
): string {
  const value = from[field];
  if (typeof value !== 'string' || (!mayBeEmpty && value.length === 0)) {
    throw payloadInvalid(`${field} must be a${mayBeEmpty ? '' : ' non-empty'} string.`);
  }
  if (value.length > maxLength) {
    throw payloadInvalid(`${field} must be at most ${maxLength} characters.`);
  }
  return value;
}

function optionalText(
  from: Record<string, unknown>,
  field: string,
  maxLength: number,
): string | null {
  return from[field] === undefined || from[field] === null ? null : text(from, field, maxLength);
}

/** The app writes dates as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`. */
function dateOf(from: Record<string, unknown>, field: string): Date {
  const value = text(from, field, 64);
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) {
    throw payloadInvalid(`${field} must be an ISO 8601 date-time.`);
  }
  return date;
}
