import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import {
  AuthenticatedDevice,
  DeviceChannel,
  DeviceCloseCode,
  DeviceCommand,
  DeviceReportsService,
  DeviceSessionsService,
} from '@app/devices';
import { AppConfig } from '@app/core';
import { DeviceConnection, DeviceConnectionHost, FrameLimits } from './device-connection';
import { DeviceTransport } from './device-transport';
import { EventStreamConnection } from './event-stream-connection';
// On shutdown, how long phones get to answer the close before their sockets are cut.
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Every phone connection of this API instance, whatever its transport (DeviceTransport: a socket
 * on /ws/devices or an SMS Gateway app's event stream). Receives the commands meant for them from
 * the other processes (sends from workers, closes from other instances), keeps them alive with
 * heartbeats, drops the silent ones and keeps their presences alive in Redis.
 */
@Injectable()
export class DeviceSocketHub
  implements DeviceConnectionHost, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(DeviceSocketHub.name);
  /** Every open connection, authenticated or not. */
  private readonly connections = new Set<DeviceTransport>();
  /** The current connection of each device connected here. */
  private readonly byDevice = new Map<string, DeviceTransport>();
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

  /** The SMS Gateway app's `GET /events`: the device (its token checked) is online while it is open. */
  openEventStream(
    device: AuthenticatedDevice,
    response: ServerResponse,
    appVersion: string | null,
  ): Promise<void> {
    const connection = new EventStreamConnection(response, this);
    this.connections.add(connection);
    void connection.finished.then(() => this.connections.delete(connection));
    return connection.start(device, appVersion);
  }

  adopt(
    connection: DeviceTransport,
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

  forget(connection: DeviceTransport): void {
    const deviceId = connection.deviceId;
    if (deviceId && this.byDevice.get(deviceId) === connection) this.byDevice.delete(deviceId);
  }

  private execute(command: DeviceCommand): void {
    const connection = this.byDevice.get(command.deviceId);
    if (command.kind === 'send') {
      const sent = connection?.id === command.connectionId && connection.offer(command);
      if (!sent) void this.sessions.undeliverable(command.deviceId, command.messageId);
      return;
    }
    if (command.kind === 'withdraw') {
      connection?.withdraw(command.messageId);
      return;
    }
    const target = command.connectionId ? this.findById(command.connectionId) : connection;
    target?.close(command.code, command.reason);
  }

  private findById(connectionId: string): DeviceTransport | undefined {
    for (const connection of this.connections)
      if (connection.id === connectionId) return connection;
    return undefined;
  }

  /** A heartbeat to every phone; drops those that are gone; keeps the others' presences alive. */
  private async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const alive = [];
      for (const connection of this.byDevice.values()) {
        if (!connection.heartbeat()) {
          this.logger.log(
            { deviceId: connection.deviceId, transport: connection.kind },
            'Dropping a silent device',
          );
          connection.terminate();
          continue;
        }
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
