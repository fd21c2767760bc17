import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type QueryDeepPartialEntity } from 'typeorm';
import { AppConfig, Clock, EventBus, Page, PaginationQueryDto, isUuid, Keyset } from '@app/core';
import { Device } from './device.entity';
import { DeviceChange, DeviceChangeHooks } from './device-change-hooks';
import { deviceLimitReached, deviceNotFound } from './device-errors';
import { DEVICE_TOKEN } from './device-token';
import { CreateDeviceDto, UpdateDeviceDto } from './dto/device-requests.dto';
import { CreatedDeviceView, DeviceConnectUrls, DeviceView } from './dto/device.view';
import { DeviceChannel } from './live/device-channel';
import { DeviceLiveState, DeviceRegistry } from './live/device-registry';
import { DeviceCloseCode } from './protocol/device-frames';
import { SimCard, parseSimCards } from './sim-cards';

export const DEVICE_UPDATED = 'device.updated';
// Plenty for a shelf of phones; a runaway script should not mint devices forever.
export const MAX_DEVICES_PER_ACCOUNT = 100;
const NEWEST_DEVICES_FIRST = new Keyset({
  sortKey: 'device.created_at',
  sortKeyType: 'timestamptz',
  id: 'device.id',
  idType: 'uuid',
  direction: 'DESC',
});

/** An account's phones: what the Devices API does, and the views and events it shows. */
@Injectable()
export class DevicesService {
  readonly defaultSendRate: number;

  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    private readonly registry: DeviceRegistry,
    private readonly channel: DeviceChannel,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly changeHooks: DeviceChangeHooks,
    config: AppConfig,
  ) {
    this.defaultSendRate = config.get('DEVICE_DEFAULT_SEND_RATE_PER_MINUTE');
  }

  /** The answer is the only time the token is shown. */
  async create(
    accountId: string,
    request: CreateDeviceDto,
    connect: DeviceConnectUrls,
  ): Promise<CreatedDeviceView> {
    const token = DEVICE_TOKEN.generate();
    const device = await this.devices.manager.transaction(async (manager) => {
      // Serialises concurrent creations for one account, so the cap holds under races.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`devices:${accountId}`]);
      const count = await manager
        .createQueryBuilder(Device, 'device')
        .where('device.account_id = :accountId AND device.deleted_at IS NULL', { accountId })
        .getCount();
      if (count >= MAX_DEVICES_PER_ACCOUNT) throw deviceLimitReached(MAX_DEVICES_PER_ACCOUNT);
      const [row] = await manager.query(
        `INSERT INTO devices (account_id, name, token_prefix, token_hash, enabled, send_rate_per_minute)
         VALUES ($1, $2, $3, $4, true, $5) RETURNING id`,
        [
          accountId,
          request.name,
          token.visiblePrefix,
          token.hash,
          request.sendRatePerMinute ?? null,
        ],
      );
      return manager.findOneByOrFail(Device, { id: row.id });
    });
    return { ...this.viewOf(device, undefined), token: token.secret, connect };
  }

  /** Newest first, with each device's live state. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<DeviceView>> {
    const page = await NEWEST_DEVICES_FIRST.pageOf(
      this.devices
        .createQueryBuilder('device')
        .where('device.account_id = :accountId AND device.deleted_at IS NULL', { accountId }),
      query,
    );
    return { data: await this.viewsOf(page.data), nextCursor: page.nextCursor };
  }

  async get(accountId: string, deviceId: string): Promise<DeviceView> {
    const [view] = await this.viewsOf([await this.findOwnedOrFail(accountId, deviceId)]);
    return view;
  }

  async update(accountId: string, deviceId: string, request: UpdateDeviceDto): Promise<DeviceView> {
    const device = await this.findOwnedOrFail(accountId, deviceId);
    const changes: Partial<Device> = {};
    if (request.name !== undefined) changes.name = request.name;
    if (request.enabled !== undefined) changes.enabled = request.enabled;
    if (request.sendRatePerMinute !== undefined) {
      changes.sendRatePerMinute = request.sendRatePerMinute;
    }
    if (Object.keys(changes).length > 0) {
      await this.devices.update({ id: device.id }, { ...changes, updatedAt: this.clock.now() });
    }
    const view = await this.get(accountId, deviceId);
    await this.publish(accountId, view);
    return view;
  }

  /**
   * A new token for the phone, shown this once; the old one stops working at once and the phone's
   * connection is closed. Its webhook signing key goes with the old token (whoever held the token
   * could read the key): the phone gets a new one when it next reads its settings.
   */
  async replaceToken(
    accountId: string,
    deviceId: string,
    connect: DeviceConnectUrls,
  ): Promise<CreatedDeviceView> {
    const token = DEVICE_TOKEN.generate();
    await this.updateOwnedOrFail(accountId, deviceId, {
      tokenPrefix: token.visiblePrefix,
      tokenHash: token.hash,
      webhookSigningKey: null,
    });
    await this.closeConnection(deviceId, 'device token replaced');
    const view = await this.get(accountId, deviceId);
    await this.publish(accountId, view);
    return { ...view, token: token.secret, connect };
  }

  /** Revokes the token at once and closes the phone's socket, wherever it is connected. */
  async remove(accountId: string, deviceId: string): Promise<void> {
    await this.updateOwnedOrFail(accountId, deviceId, { deletedAt: () => 'now()', enabled: false });
    await this.closeConnection(deviceId, 'device deleted');
  }

  /** One statement on the account's live (not deleted) device; DEVICE_NOT_FOUND if none. */
  private async updateOwnedOrFail(
    accountId: string,
    deviceId: string,
    changes: QueryDeepPartialEntity<Device>,
  ): Promise<void> {
    if (!isUuid(deviceId)) throw deviceNotFound();
    const result = await this.devices
      .createQueryBuilder()
      .update()
      .set({ ...changes, updatedAt: () => 'now()' })
      .where('id = :deviceId AND account_id = :accountId AND deleted_at IS NULL', {
        deviceId,
        accountId,
      })
      .execute();
    if (!result.affected) throw deviceNotFound();
  }

  /** Closes the phone's socket or event stream, on whichever API instance holds it. */
  private async closeConnection(deviceId: string, reason: string): Promise<void> {
    const connection = await this.registry.connectionOf(deviceId);
    if (connection) {
      await this.channel.deliver(connection.instanceId, {
        kind: 'close',
        deviceId,
        code: DeviceCloseCode.Revoked,
        reason,
      });
    }
  }

  /**
   * Tells real-time clients (docs/architecture.md#real-time) how the device is now, and the
   * registered change hooks what changed.
   */
  async publishUpdated(
    deviceId: string,
    change?: Pick<DeviceChange, 'kind' | 'previousBattery'>,
  ): Promise<void> {
    const device = await this.devices.findOneBy({ id: deviceId });
    if (!device) return;
    const [view] = await this.viewsOf([device]);
    await this.publish(device.accountId, view);
    if (change) await this.changeHooks.notify({ ...change, accountId: device.accountId, view });
  }

  /**
   * The SIM cards a phone reports (the mobile API's registration and PATCH, our hello and status
   * frames): validated (at most MAX_SIM_CARDS, SIM numbers 1–MAX_SIM_NUMBER and each once, sane
   * strings; else 422 INVALID_SIM_CARDS), stored, and announced with `device.updated` when they
   * changed. Returns the SIM cards as stored. A deleted device's report changes nothing. The
   * caller has authenticated the phone (its device token): `deviceId` is the token's device.
   */
  async recordSimCards(deviceId: string, simCards: unknown): Promise<SimCard[]> {
    if (!isUuid(deviceId)) throw deviceNotFound();
    const cards = parseSimCards(simCards);
    if (await this.storeSimCards(deviceId, cards)) await this.publishUpdated(deviceId);
    return cards;
  }

  /**
   * Stores already validated SIM cards; true when they changed. For callers that announce the
   * device themselves (a hello publishes it anyway).
   */
  async storeSimCards(deviceId: string, cards: SimCard[]): Promise<boolean> {
    // One statement: two reports racing cannot both see "unchanged" and lose the newer one.
    const [rows] = await this.devices.query(
      `UPDATE devices SET sim_cards = $2::jsonb, updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL AND sim_cards IS DISTINCT FROM $2::jsonb
       RETURNING id`,
      [deviceId, JSON.stringify(cards)],
    );
    return (rows as unknown[]).length > 0;
  }

  sendRateOf(device: Pick<Device, 'sendRatePerMinute'>): number {
    return device.sendRatePerMinute ?? this.defaultSendRate;
  }

  private publish(accountId: string, view: DeviceView): Promise<void> {
    return this.bus.publish({ type: DEVICE_UPDATED, accountId, data: view });
  }

  private async viewsOf(devices: Device[]): Promise<DeviceView[]> {
    const live = await this.registry.liveStates(
      devices.map((device) => device.id),
      this.clock.now().getTime(),
      new Map(devices.map((device) => [device.id, device.simCards.map((card) => card.simNumber)])),
    );
    return devices.map((device) => this.viewOf(device, live.get(device.id)));
  }

  private viewOf(device: Device, live: DeviceLiveState | undefined): DeviceView {
    return DeviceView.from(device, live, this.defaultSendRate);
  }

  private async findOwnedOrFail(accountId: string, deviceId: string): Promise<Device> {
    const device = isUuid(deviceId)
      ? await this.devices
          .createQueryBuilder('device')
          .where('device.id = :deviceId AND device.account_id = :accountId', {
            deviceId,
            accountId,
          })
          .andWhere('device.deleted_at IS NULL')
          .getOne()
      : null;
    if (!device) throw deviceNotFound();
    return device;
  }
}
