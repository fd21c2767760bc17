import { Injectable, Logger } from '@nestjs/common';
import { DeviceView } from './dto/device.view';

/** What just happened to a phone: it came online, went offline, or reported its status. */
export interface DeviceChange {
  kind: 'online' | 'offline' | 'status';
  accountId: string;
  /** The device as the REST API shows it now. */
  view: DeviceView;
  /** The battery level the phone reported before this change, when known. */
  previousBattery?: number | null;
}

/**
 * Lets a lib built on devices act on a phone's changes (the webhooks lib sends device.online,
 * device.offline, device.low_battery) without devices importing it. A phone's presence lives in
 * Redis, not in a transaction, so hooks run just after the change; a failing hook never fails it.
 */
export interface DeviceChangeHook {
  deviceChanged(change: DeviceChange): Promise<void>;
}

@Injectable()
export class DeviceChangeHooks {
  private readonly logger = new Logger(DeviceChangeHooks.name);
  private readonly hooks: DeviceChangeHook[] = [];

  register(hook: DeviceChangeHook): void {
    this.hooks.push(hook);
  }

  async notify(change: DeviceChange): Promise<void> {
    for (const hook of this.hooks) {
      await hook
        .deviceChanged(change)
        .catch((error: Error) => this.logger.warn(`A device change hook failed: ${error.message}`));
    }
  }
}
