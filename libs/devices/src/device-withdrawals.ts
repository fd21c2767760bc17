import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '@app/core';
import { Message, MessageWithdrawals, MessageWithdrawer } from '@app/messaging';
import { DeviceChannel } from './live/device-channel';
import { DeviceRegistry } from './live/device-registry';

/**
 * Lets a canceled message be taken back from a phone that pulls its messages (the SMS Gateway app)
 * while it has not pulled it; the phone is then told (`MessageCancelled` on its stream). A phone
 * that was pushed the message over its socket has it already: it keeps it.
 */
@Injectable()
export class DeviceWithdrawals implements MessageWithdrawer, OnModuleInit {
  private readonly logger = new Logger(DeviceWithdrawals.name);

  constructor(
    private readonly withdrawals: MessageWithdrawals,
    private readonly registry: DeviceRegistry,
    private readonly channel: DeviceChannel,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.withdrawals.register(this);
  }

  async withdraw(message: Message): Promise<boolean> {
    const deviceId = await this.registry.withdraw(message.id);
    if (!deviceId) return false;
    const connection = await this.registry.connectionOf(deviceId);
    if (connection) {
      // Only a courtesy: the phone never had the message, and a pull no longer gives it.
      await this.channel
        .deliver(connection.instanceId, { kind: 'withdraw', deviceId, messageId: message.id })
        .catch((error: unknown) =>
          this.logger.warn({ err: error, deviceId }, 'Could not tell a phone of a cancel'),
        );
    }
    return true;
  }

  /** Due at once: the deadline sweeper gives it to a phone again (if it is still being sent). */
  async restore(message: Message): Promise<void> {
    await this.registry.scheduleRetry(message.id, this.clock.now().getTime());
  }
}
