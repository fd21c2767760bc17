import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import {
  DeviceChannel,
  DeviceCloseCode,
  DeviceCommand,
  DeviceReportsService,
  DeviceSessionsService,
} from '@app/devices';
import { AppConfig } from '@app/core';
import { DeviceConnection, DeviceConnectionHost, FrameLimits } from './device-connection';

const MISSED_HEARTBEATS_ALLOWED = 2;
// On shutdown, how long phones get to answer the close before their sockets are cut.
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Every phone socket of this API instance. Receives the commands meant for them from the other
 * processes (sends from workers, closes from other instances), pings them, drops the silent ones
 * and keeps their presences alive in Redis.
 */
@Injectable()
export class DeviceSocketHub
  implements DeviceConnectionHost, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(DeviceSocketHub.name);
  /** Every open connection, authenticated or not. */
  private readonly connections = new Set<DeviceConnection>();
  /** The current connection of each device connected here. */
  private readonly byDevice = new Map<string, DeviceConnection>();
  private heartbeatTimer?: NodeJS.Timeout;
  private beating = false;
  readonly frameLimits: FrameLimits;

  constructor(
    readonly sessions: DeviceSessionsService,
    readonly reports: DeviceReportsService,
    private readonly channel: DeviceChannel,
    config: AppConfig,
  ) {
    this.frameLimits = {
      perSecond: config.get('DEVICE_FRAMES_PER_SECOND'),
      burst: config.get('DEVICE_FRAME_BURST'),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.channel.listen((command) => this.execute(command));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.sessions.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  accept(socket: WebSocket, request: IncomingMessage): void {
    const connection = new DeviceConnection(socket, this);
    this.connections.add(connection);
    void connection.finished.then(() => this.connections.delete(connection));
    connection.start(request);
  }

  adopt(
    connection: DeviceConnection,
    replaced: { instanceId: string; connectionId: string } | null,
  ): void {
    const deviceId = connection.deviceId!;
    const previous = this.byDevice.get(deviceId);
    this.byDevice.set(deviceId, connection);
    if (previous && previous !== connection) {
      previous.close(DeviceCloseCode.Replaced, 'replaced by a newer connection');
    } else if (replaced?.instanceId === this.channel.instanceId) {
      this.findById(replaced.connectionId)?.close(
        DeviceCloseCode.Replaced,
        'replaced by a newer connection',
      );
    }
  }

  forget(connection: DeviceConnection): void {
    const deviceId = connection.deviceId;
    if (deviceId && this.byDevice.get(deviceId) === connection) this.byDevice.delete(deviceId);
  }

  private execute(command: DeviceCommand): void {
    const connection = this.byDevice.get(command.deviceId);
    if (command.kind === 'send') {
      const sent = connection?.send({
        type: 'send',
        messageId: command.messageId,
        to: command.to,
        body: command.body,
        ...(command.simNumber !== undefined ? { simNumber: command.simNumber } : {}),
      });
      if (!sent) void this.sessions.undeliverable(command.deviceId, command.messageId);
      return;
    }
    const target = command.connectionId ? this.findById(command.connectionId) : connection;
    target?.close(command.code, command.reason);
  }

  private findById(connectionId: string): DeviceConnection | undefined {
    for (const connection of this.connections)
      if (connection.id === connectionId) return connection;
    return undefined;
  }

  /** Pings every phone; drops those that missed two pings; keeps the others' presences alive. */
  private async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const alive = [];
      for (const connection of this.byDevice.values()) {
        if (connection.missedHeartbeats >= MISSED_HEARTBEATS_ALLOWED) {
          this.logger.log({ deviceId: connection.deviceId }, 'Dropping a silent device');
          connection.terminate();
          continue;
        }
        connection.missedHeartbeats++;
        connection.ping();
        alive.push(connection);
      }
      const refused = await this.sessions.heartbeat(alive.map((connection) => connection.session!));
      // Taken over elsewhere (the close command may have been lost): this one must go.
      for (const connectionId of refused) {
        this.findById(connectionId)?.close(
          DeviceCloseCode.Replaced,
          'replaced by a newer connection',
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Device heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  /** Phones are told to reconnect (to another instance); what they held goes to other phones. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const open = [...this.connections];
    for (const connection of open)
      connection.close(DeviceCloseCode.GoingAway, 'server shutting down');
    const cut = setTimeout(
      () => open.forEach((connection) => connection.terminate()),
      SHUTDOWN_GRACE_MS,
    );
    await Promise.all(open.map((connection) => connection.finished));
    clearTimeout(cut);
  }
}
