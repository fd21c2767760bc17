import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AppConfig, Clock, toE164 } from '@app/core';
import { Device } from './device.entity';
import { DEVICE_TOKEN } from './device-token';
import { DevicesService } from './devices.service';
import { DeviceChannel } from './live/device-channel';
import {
  DeviceConnectionRef,
  DeviceRegistry,
  DeviceTransportKind,
  PresenceFields,
  PresenceOwner,
} from './live/device-registry';
import { DeviceCloseCode, HelloFrame, StatusFrame, WelcomeFrame } from './protocol/device-frames';
import { simCardsFrom } from './sim-cards';

/** A phone whose token checked out. */
export interface AuthenticatedDevice {
  id: string;
  accountId: string;
}

/** One connection of a phone to this API instance, as the registry names it. */
export interface DeviceSession {
  device: AuthenticatedDevice;
  connectionId: string;
  /** What the phone said in its hello and last status: re-asserted with every heartbeat. */
  presence: PresenceFields;
}

/** What a phone says about itself, as its presence and its row keep it. */
type ReportedFields = Omit<PresenceFields, 'ready' | 'lastSeenAt'>;

export type HelloOutcome = { welcome: WelcomeFrame } | { refused: 'deleted' | 'replaced' };

// A presence outlives a few missed refreshes; a crashed instance's phones go offline after it.
const PRESENCE_TTL_HEARTBEATS = 3;

/**
 * The life of a phone's connection (docs/device-protocol.md), independent of the socket library: who it is,
 * taking over its presence (a second connection replaces the first), hello/status, heartbeats and
 * going offline. The gateway in apps/api only moves frames.
 */
@Injectable()
export class DeviceSessionsService {
  readonly heartbeatMs: number;
  private readonly presenceTtlMs: number;
  private readonly ackGraceMs: number;

  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    private readonly devicesService: DevicesService,
    private readonly registry: DeviceRegistry,
    private readonly channel: DeviceChannel,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.heartbeatMs = config.get('DEVICE_HEARTBEAT_MS');
    this.presenceTtlMs = this.heartbeatMs * PRESENCE_TTL_HEARTBEATS + 1000;
    // A phone that acknowledged a message and then dropped may reconnect and report it; it gets
    // as long as it had to acknowledge before the message goes to another phone.
    this.ackGraceMs = config.get('DEVICE_ACK_TIMEOUT_MS');
  }

  get instanceId(): string {
    return this.channel.instanceId;
  }

  /** The device a token belongs to, or null (unknown, malformed or revoked). */
  async authenticate(token: string): Promise<AuthenticatedDevice | null> {
    if (!DEVICE_TOKEN.looksLike(token)) return null;
    const device = await this.devices.findOne({
      where: { tokenHash: DEVICE_TOKEN.hash(token), deletedAt: IsNull() },
      select: { id: true, accountId: true },
    });
    return device ? { id: device.id, accountId: device.accountId } : null;
  }

  /**
   * The connection is now the device's. A connection it replaces on another instance is told to
   * close there; one on this instance is returned for the caller to close.
   */
  async open(session: DeviceSession): Promise<DeviceConnectionRef | null> {
    const previous = await this.registry.claimPresence(
      this.ownerOf(session),
      this.presenceTtlMs,
      this.now(),
    );
    if (!previous) return null;
    if (previous.instanceId !== this.instanceId) {
      await this.channel.deliver(previous.instanceId, {
        kind: 'close',
        deviceId: session.device.id,
        connectionId: previous.connectionId,
        code: DeviceCloseCode.Replaced,
        reason: 'replaced by a newer connection',
      });
    }
    return previous;
  }

  /**
   * The phone introduced itself: it is online and may be given messages. Refused when it may not
   * stay: deleted meanwhile, or replaced by a newer connection.
   */
  async hello(session: DeviceSession, frame: HelloFrame): Promise<HelloOutcome> {
    const outcome = await this.goOnline(
      session,
      {
        transport: 'websocket',
        model: frame.device.model,
        androidVersion: frame.device.androidVersion,
        appVersion: frame.device.appVersion,
        phoneNumber: frame.device.phoneNumber ? toE164(frame.device.phoneNumber) : null,
        battery: frame.status.battery,
        charging: frame.status.charging,
        signal: frame.status.signal,
      },
      frame.simCards,
    );
    if ('refused' in outcome) return outcome;
    return {
      welcome: {
        type: 'welcome',
        deviceId: outcome.device.id,
        heartbeatMs: this.heartbeatMs,
        sendRatePerMinute: this.devicesService.sendRateOf(outcome.device),
      },
    };
  }

  /**
   * A phone whose transport has no hello (the SMS Gateway app's event stream) is online as soon
   * as its stream is open: it says only what the transport tells (its app version, from the
   * User-Agent). What it said before (model, battery) stays on its row.
   */
  async streamOpened(
    session: DeviceSession,
    said: { transport: DeviceTransportKind; appVersion: string | null },
  ): Promise<'online' | 'deleted' | 'replaced'> {
    const reported: ReportedFields = { transport: said.transport };
    if (said.appVersion) reported.appVersion = said.appVersion;
    const outcome = await this.goOnline(session, reported);
    return 'refused' in outcome ? outcome.refused : 'online';
  }

  /** Presence made ready with what the phone said, kept live in Redis and stored on its row. */
  private async goOnline(
    session: DeviceSession,
    reported: ReportedFields,
    simCards?: HelloFrame['simCards'],
  ): Promise<{ device: Device } | { refused: 'deleted' | 'replaced' }> {
    const device = await this.devices.findOneBy({ id: session.device.id, deletedAt: IsNull() });
    if (!device) return { refused: 'deleted' };
    const now = this.now();
    session.presence = { ...reported, ready: true, lastSeenAt: now };
    const current = await this.registry.updatePresence(
      this.ownerOf(session),
      session.presence,
      this.presenceTtlMs,
    );
    if (!current) return { refused: 'replaced' };
    const { transport: _transport, ...stored } = reported;
    await this.devices.update({ id: device.id }, { ...stored, lastSeenAt: new Date(now) });
    if (simCards) await this.devicesService.storeSimCards(device.id, simCardsFrom(simCards));
    await this.devicesService.publishUpdated(device.id, {
      kind: 'online',
      previousBattery: device.battery,
    });
    return { device };
  }

  /**
   * What the SMS Gateway app says of itself outside its stream (registering, updating): its model
   * ("manufacturer/product") and app version (its User-Agent). Stored on the row, which the view
   * shows where the live presence says nothing.
   */
  async describe(
    deviceId: string,
    said: { model?: string | null; appVersion?: string | null },
  ): Promise<void> {
    const changes: Partial<Device> = {};
    if (said.model) changes.model = said.model;
    if (said.appVersion) changes.appVersion = said.appVersion;
    if (Object.keys(changes).length === 0) return;
    await this.devices.update({ id: deviceId, deletedAt: IsNull() }, changes);
  }

  /** Battery, charging and signal: they break ties between equally loaded phones. */
  async status(session: DeviceSession, frame: StatusFrame): Promise<boolean> {
    const previousBattery = session.presence.battery;
    session.presence = {
      ...session.presence,
      battery: frame.battery,
      charging: frame.charging,
      signal: frame.signal,
      lastSeenAt: this.now(),
    };
    const current = await this.registry.updatePresence(
      this.ownerOf(session),
      session.presence,
      this.presenceTtlMs,
    );
    if (current) {
      if (frame.simCards) {
        await this.devicesService.storeSimCards(session.device.id, simCardsFrom(frame.simCards));
      }
      await this.devicesService.publishUpdated(session.device.id, {
        kind: 'status',
        previousBattery,
      });
    }
    return current;
  }

  /**
   * This instance could not hand a send to the phone (its socket closed meanwhile): the message
   * goes to another phone now rather than after the ack timeout.
   */
  async undeliverable(deviceId: string, messageId: string): Promise<void> {
    await this.registry.markDueNow(messageId, deviceId);
  }

  /**
   * Keeps the presences of this instance's live connections alive (and brings them back if
   * Redis lost them). Returns the connections whose device another connection has taken over.
   */
  async heartbeat(sessions: DeviceSession[]): Promise<string[]> {
    const now = this.now();
    return this.registry.refreshPresences(
      sessions.map((session) => {
        session.presence.lastSeenAt = now;
        return { owner: this.ownerOf(session), fields: session.presence };
      }),
      this.presenceTtlMs,
    );
  }

  /**
   * The socket closed: stop giving the phone messages through it right away. `close` follows
   * once the frames it sent before closing have been handled (an ack among them counts).
   */
  async suspend(session: DeviceSession): Promise<void> {
    await this.registry.suspendPresence(this.ownerOf(session), this.presenceTtlMs);
  }

  /**
   * The connection closed. If it was still the device's, the device is offline and the messages
   * it held go to other phones (see RELEASE_PRESENCE).
   */
  async close(session: DeviceSession): Promise<void> {
    const now = this.now();
    const released = await this.registry.releasePresence(
      this.ownerOf(session),
      now + this.ackGraceMs,
      this.presenceTtlMs,
    );
    if (released === null) return;
    const { battery, charging, signal } = session.presence;
    const lastKnown: Partial<Device> = { lastSeenAt: new Date(now) };
    if (battery !== undefined) Object.assign(lastKnown, { battery, charging, signal });
    await this.devices.update({ id: session.device.id }, lastKnown);
    await this.devicesService.publishUpdated(session.device.id, { kind: 'offline' });
  }

  private ownerOf(session: DeviceSession): PresenceOwner {
    return {
      deviceId: session.device.id,
      accountId: session.device.accountId,
      instanceId: this.instanceId,
      connectionId: session.connectionId,
    };
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
