import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/core';
import { DeviceChange, DeviceChangeHook, DeviceChangeHooks, DevicesModule } from '@app/devices';
import { NewWebhookEvent } from './webhook-event.repository';
import { WebhookOutbox } from './webhook-outbox';
import { WebhooksModule } from './webhooks.module';

/**
 * device.online, device.offline and device.low_battery (once per crossing of
 * WEBHOOK_LOW_BATTERY_PERCENT, while not charging), with the device's REST view as `data`.
 */
@Injectable()
export class DeviceWebhooksHook implements DeviceChangeHook, OnModuleInit {
  private readonly lowBatteryPercent: number;

  constructor(
    private readonly hooks: DeviceChangeHooks,
    private readonly outbox: WebhookOutbox,
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.lowBatteryPercent = config.get('WEBHOOK_LOW_BATTERY_PERCENT');
  }

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async deviceChanged(change: DeviceChange): Promise<void> {
    const types: string[] = [];
    if (change.kind === 'online') types.push('device.online');
    if (change.kind === 'offline') types.push('device.offline');
    if (change.kind !== 'offline' && this.crossedLowBattery(change))
      types.push('device.low_battery');
    const events: NewWebhookEvent[] = types
      .filter((type) => this.outbox.mayWant(change.accountId, type))
      .map((type) => ({ accountId: change.accountId, type, data: change.view }));
    if (events.length === 0) return;
    const deliveryIds = await this.dataSource.transaction((manager) =>
      this.outbox.appendEvents(manager, events),
    );
    await this.outbox.enqueue(deliveryIds);
  }

  private crossedLowBattery(change: DeviceChange): boolean {
    const { battery, charging } = change.view;
    if (battery === null || charging === true || battery > this.lowBatteryPercent) return false;
    const previous = change.previousBattery;
    return previous === undefined || previous === null || previous > this.lowBatteryPercent;
  }
}

/** Device events for webhooks: the API process holds the phones' sockets, so only it needs this. */
@Module({
  imports: [DevicesModule, WebhooksModule],
  providers: [DeviceWebhooksHook],
})
export class DeviceWebhooksModule {}
