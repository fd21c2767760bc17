import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS_CLIENT, RedisKeys } from '@app/core';

/** What a worker (or another API instance) asks the instance holding a phone's socket to do. */
export type DeviceCommand =
  | {
      kind: 'send';
      deviceId: string;
      /**
       * The connection the pick gave it to. Only that one may take it: a phone that reconnected
       * meanwhile has a new connection that the message's hand-over knows nothing of (the old
       * one's close may already have sent the message elsewhere).
       */
      connectionId: string;
      messageId: string;
      to: string;
      body: string;
      /** The SIM to send from (1-based); absent: the phone's default SIM. */
      simNumber?: number;
    }
  /** A message the phone was offered and has not taken was canceled (SSE: `MessageCancelled`). */
  | { kind: 'withdraw'; deviceId: string; messageId: string }
  | {
      kind: 'close';
      deviceId: string;
      /** Only this connection (a replaced one); any connection of the device when absent. */
      connectionId?: string;
      code: number;
      reason: string;
    };

export type DeviceCommandHandler = (command: DeviceCommand) => void;

/**
 * Reaches a phone's socket on whichever API instance holds it: each API instance listens on a
 * Redis channel of its own, named by its instance id (the registry says which instance holds
 * which device). Nothing goes through process memory, so any worker reaches any phone.
 */
@Injectable()
export class DeviceChannel implements OnModuleDestroy {
  private readonly logger = new Logger(DeviceChannel.name);
  /** This process, as the registry names it. */
  readonly instanceId = randomUUID();
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private channelOf(instanceId: string): string {
    return this.keys.key('devices', 'instance', instanceId);
  }

  /**
   * False when no process listens on that instance's channel: it crashed or stopped, and the
   * phones it held are not reachable.
   */
  async deliver(instanceId: string, command: DeviceCommand): Promise<boolean> {
    const receivers = await this.redis.publish(this.channelOf(instanceId), JSON.stringify(command));
    return receivers > 0;
  }

  /** For API instances: receive the commands meant for the phones connected here. */
  async listen(handler: DeviceCommandHandler): Promise<void> {
    if (this.subscriber) throw new Error('DeviceChannel.listen called twice');
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, payload: string) => {
      let command: DeviceCommand;
      try {
        command = JSON.parse(payload) as DeviceCommand;
      } catch {
        return;
      }
      try {
        handler(command);
      } catch (error) {
        this.logger.error({ err: error }, `Device command ${command.kind} failed`);
      }
    });
    await subscriber.subscribe(this.channelOf(this.instanceId));
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }
}
